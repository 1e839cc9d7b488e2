"""Runtime settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from media.streams.ice import parse_ice_servers


@dataclass(frozen=True)
class Settings:
    """Everything the server needs to know about its surroundings."""

    data_dir: Path = Path("stepwise-data")
    database_url: str = ""
    token_lifetime: timedelta = timedelta(hours=12)
    max_failed_logins: int = 5
    lockout: timedelta = timedelta(minutes=15)
    max_body_bytes: int = 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    event_queue_size: int = 256
    demo: bool = False
    demo_balance_port: int = 4305
    ice_servers: tuple[dict[str, Any], ...] = ()  # STUN/TURN for the live-video peers
    stream_idle_seconds: float = 10.0  # a publisher sending nothing this long is gone

    @property
    def effective_database_url(self) -> str:
        """`DATABASE_URL`, or a SQLite file inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'stepwise.db').resolve()}"


def settings_from_env(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from `STEPWISE_*` and `DATABASE_URL` variables."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {
        "data_dir": Path(env.get("STEPWISE_DATA_DIR", "stepwise-data")),
        "database_url": env.get("DATABASE_URL", ""),
    }
    if "STEPWISE_DEMO_BALANCE_PORT" in env:
        values["demo_balance_port"] = int(env["STEPWISE_DEMO_BALANCE_PORT"])
    if "STEPWISE_TOKEN_HOURS" in env:
        values["token_lifetime"] = timedelta(hours=float(env["STEPWISE_TOKEN_HOURS"]))
    if "STEPWISE_ICE_SERVERS" in env:
        values["ice_servers"] = parse_ice_servers(env["STEPWISE_ICE_SERVERS"])
    if "STEPWISE_STREAM_IDLE_SECONDS" in env:
        values["stream_idle_seconds"] = float(env["STEPWISE_STREAM_IDLE_SECONDS"])
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]

"""Runtime settings, read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from media.streams.ice import parse_ice_servers
from server.ids import number_pattern
from server.networks import Network, parse_networks

LOOPBACK = parse_networks("127.0.0.0/8, ::1")
# argon2-cffi's profiles for new password hashes (server.auth.passwords); CHEAPEST is for tests.
PASSWORD_PROFILE_VARIABLE = "STEPWISE_PASSWORD_PROFILE"
PASSWORD_PROFILES = ("RFC_9106_LOW_MEMORY", "RFC_9106_HIGH_MEMORY", "CHEAPEST")
DEFAULT_PASSWORD_PROFILE = PASSWORD_PROFILES[0]


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
    body_read_seconds: float = 30.0  # a body arriving slower than this is cut off
    event_queue_size: int = 256
    demo: bool = False
    demo_balance_port: int = 4305
    ice_servers: tuple[dict[str, Any], ...] = ()  # STUN/TURN for the live-video peers
    stream_idle_seconds: float = 10.0  # a publisher sending nothing this long is gone
    db_wait_seconds: float = 30.0  # for a free database connection, then 503 (overload)
    balance_networks: tuple[Network, ...] = ()  # where balances may be; the demo adds loopback
    # Reverse proxies whose X-Forwarded-Proto is believed; secure_cookies forces `Secure`.
    trusted_proxies: tuple[Network, ...] = ()
    secure_cookies: bool = False
    password_min_length: int = 12  # for new passwords; existing ones keep working
    password_profile: str = DEFAULT_PASSWORD_PROFILE  # of new hashes; read by auth.passwords
    max_failed_signatures: int = 5  # per signed-in session, then the session is locked
    # §11.200(a)(1): a signing session idle this long needs username and password again.
    signing_idle: timedelta = timedelta(minutes=15)
    session_recheck_seconds: float = 2.0  # how soon an open WebSocket notices a sign-out
    max_image_pixels: int = 40_000_000  # an upload declaring more is refused from its header
    image_workers: int = 2  # images decoded at once; each may take 4 bytes per pixel
    audit_key_file: Path | None = None  # the seal signing key; default in the data directory
    # At most how often moved chains are sealed (also when a batch is completed or decided,
    # and at start and stop).
    seal_seconds: float = 60.0
    webhook_networks: tuple[Network, ...] = ()  # where webhooks may go; the demo adds loopback
    webhook_retry_seconds: float = 5.0  # the first retry's delay, doubling up to an hour
    webhook_retry_hours: float = 24.0  # then a delivery is given up (its log says so)
    # The URL that reaches this server process alone (not a load balancer in front of several),
    # for answers that send a client to the process holding something (a live stream). `serve`
    # sets it: the serving URL, or with `--workers N` each process's own port. With
    # `--workers N` the variable may name the port as `{port}`: `http://mes-a.example:{port}`.
    process_url: str | None = None
    # A process that owns live streams and has not said it is alive for this long is gone:
    # its streams have ended.
    stream_owner_stale_seconds: float = 5.0
    # Readable lot and container numbers (server.ids.readable_number), unique per material and
    # day by their sequence.
    lot_number_pattern: str = "{material}-{yymmdd}-{seq:03d}"
    container_number_pattern: str = "{material}-{yymmdd}-C{seq:03d}"

    @property
    def allowed_balance_networks(self) -> tuple[Network, ...]:
        """Networks balances may be dialled on: the setting, plus loopback in the demo (its
        simulated balance listens there)."""
        return (*self.balance_networks, *(LOOPBACK if self.demo else ()))

    @property
    def allowed_webhook_networks(self) -> tuple[Network, ...]:
        """Networks webhooks may be sent to: the setting, plus loopback in the demo."""
        return (*self.webhook_networks, *(LOOPBACK if self.demo else ()))

    @property
    def effective_database_url(self) -> str:
        """`DATABASE_URL`, or a SQLite file inside the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'stepwise.db').resolve()}"

    @property
    def effective_audit_key_file(self) -> Path:
        """`STEPWISE_AUDIT_KEY_FILE`, or `audit-seal.key` in the data directory."""
        return self.audit_key_file or self.data_dir / "audit-seal.key"


class SettingInvalid(ValueError):
    """An environment variable whose value cannot be used; the message names it."""


def _flag(text: str) -> bool:
    if text.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if text.strip().lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError("use true or false")


def _password_length(text: str) -> int:
    value = int(text)
    if value < 8:
        raise ValueError("must be at least 8")
    return value


def _process_url(text: str) -> str | None:
    """Blank: unset; otherwise an http(s) URL, without a trailing slash."""
    text = text.strip()
    if not text:
        return None
    if not text.startswith(("http://", "https://")):
        raise ValueError("use an http:// or https:// URL")
    return text.rstrip("/")


def _password_profile(text: str) -> str:
    if text not in PASSWORD_PROFILES:
        raise ValueError(f"use one of {', '.join(PASSWORD_PROFILES)}")
    return text


def _at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError("must be more than 0")
    return value


# Optional variables: name → (setting, parser of the text).
_PARSED: dict[str, tuple[str, Callable[[str], object]]] = {
    "STEPWISE_DEMO_BALANCE_PORT": ("demo_balance_port", int),
    "STEPWISE_TOKEN_HOURS": ("token_lifetime", lambda text: timedelta(hours=float(text))),
    "STEPWISE_ICE_SERVERS": ("ice_servers", parse_ice_servers),
    "STEPWISE_STREAM_IDLE_SECONDS": ("stream_idle_seconds", float),
    "STEPWISE_DB_WAIT_SECONDS": ("db_wait_seconds", float),
    "STEPWISE_BODY_READ_SECONDS": ("body_read_seconds", float),
    "STEPWISE_BALANCE_NETWORKS": ("balance_networks", parse_networks),
    "STEPWISE_TRUSTED_PROXIES": ("trusted_proxies", parse_networks),
    "STEPWISE_SECURE_COOKIES": ("secure_cookies", _flag),
    "STEPWISE_PASSWORD_MIN_LENGTH": ("password_min_length", _password_length),
    PASSWORD_PROFILE_VARIABLE: ("password_profile", _password_profile),
    "STEPWISE_MAX_FAILED_SIGNATURES": ("max_failed_signatures", _at_least_one),
    "STEPWISE_SIGNING_IDLE_MINUTES": ("signing_idle", lambda text: timedelta(minutes=float(text))),
    "STEPWISE_MAX_IMAGE_PIXELS": ("max_image_pixels", _at_least_one),
    "STEPWISE_IMAGE_WORKERS": ("image_workers", _at_least_one),
    "STEPWISE_AUDIT_KEY_FILE": ("audit_key_file", Path),
    "STEPWISE_SEAL_SECONDS": ("seal_seconds", float),
    "STEPWISE_WEBHOOK_NETWORKS": ("webhook_networks", parse_networks),
    "STEPWISE_WEBHOOK_RETRY_SECONDS": ("webhook_retry_seconds", float),
    "STEPWISE_WEBHOOK_RETRY_HOURS": ("webhook_retry_hours", float),
    "STEPWISE_PROCESS_URL": ("process_url", _process_url),
    "STEPWISE_STREAM_OWNER_STALE_SECONDS": ("stream_owner_stale_seconds", _positive),
    "STEPWISE_LOT_NUMBER_PATTERN": ("lot_number_pattern", number_pattern),
    "STEPWISE_CONTAINER_NUMBER_PATTERN": ("container_number_pattern", number_pattern),
}


def settings_from_env(environ: dict[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from `STEPWISE_*` and `DATABASE_URL` variables; SettingInvalid names
    a variable that cannot be used."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {
        "data_dir": Path(env.get("STEPWISE_DATA_DIR", "stepwise-data")),
        "database_url": env.get("DATABASE_URL", ""),
    }
    for variable, (setting, parse) in _PARSED.items():
        if variable in env:
            try:
                values[setting] = parse(env[variable])
            except ValueError as exc:
                raise SettingInvalid(f"{variable}={env[variable]!r} cannot be used: {exc}") from exc
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]

"""How the server logs: our own loggers at the chosen level, libraries (aioice, aiortc,
alembic, ...) at WARNING at least, as text lines or as one JSON object a line."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from server.config import SettingInvalid

LogFormat = Literal["text", "json"]
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMATS: tuple[LogFormat, ...] = ("text", "json")
# Loggers of our own packages; every other logger is a library's.
OWN = ("stepwise", "server", "media", "procedures")
# What every LogRecord has; anything else was passed as `extra` and belongs in the JSON.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: `at` (UTC), `level`, `logger`, `message`, the record's extra
    fields (an access line's method, path, status, duration_ms, user) and `error`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "at": _utc(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def _utc(record: logging.LogRecord) -> str:
    """The record's time as UTC ISO 8601 with milliseconds and `Z`."""
    at = datetime.fromtimestamp(record.created, UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def configure(level: str = "INFO", format: LogFormat = "text") -> None:
    """Log to standard error: our loggers at `level`, libraries at WARNING or above."""
    handler = logging.StreamHandler(sys.stderr)
    if format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    chosen = logging.getLevelName(level.upper())
    root.setLevel(max(chosen, logging.WARNING))
    for name in OWN:
        logging.getLogger(name).setLevel(chosen)


def chosen(
    level: str | None, format: str | None, environ: Mapping[str, str] = os.environ
) -> tuple[str, LogFormat]:
    """The level and format given, else `STEPWISE_LOG_LEVEL` / `STEPWISE_LOG_FORMAT`, else
    INFO and text; SettingInvalid names a variable that cannot be used."""
    level = (level or environ.get("STEPWISE_LOG_LEVEL") or "INFO").upper()
    format = format or environ.get("STEPWISE_LOG_FORMAT") or "text"
    if level not in LEVELS:
        raise SettingInvalid(f"STEPWISE_LOG_LEVEL={level!r} cannot be used: use one of {LEVELS}")
    if format not in FORMATS:
        raise SettingInvalid(f"STEPWISE_LOG_FORMAT={format!r} cannot be used: use text or json")
    return level, format  # type: ignore[return-value]

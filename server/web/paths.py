"""Typed path parameters."""

from __future__ import annotations

from typing import Any

from server.errors import Invalid, Problem

MAX_VERSION = 2**31 - 1  # versions are stored as 32-bit integers


class BadPathParameter(Invalid):
    """A path segment that should be a number is not."""


def int_param(call: Any, name: str, maximum: int = MAX_VERSION) -> int:
    """A path parameter that must be a whole number from 0 to `maximum`."""
    raw = call.param(name)
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(maximum)) or int(raw) > maximum:
        raise BadPathParameter(
            f"{name} must be a whole number up to {maximum}, got {raw[:40]!r}.",
            problems=[Problem(name, f"whole number up to {maximum} expected")],
        )
    return int(raw)

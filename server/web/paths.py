"""Typed path parameters."""

from __future__ import annotations

from typing import Any

from server.errors import Invalid


class BadPathParameter(Invalid):
    """A path segment that should be a number is not."""


def int_param(call: Any, name: str) -> int:
    """A path parameter that must be a positive whole number."""
    raw = call.param(name)
    if not raw.isdigit():
        raise BadPathParameter(
            f"{name} must be a whole number, got {raw!r}.",
            errors=[{"field": name, "message": "whole number expected"}],
        )
    return int(raw)

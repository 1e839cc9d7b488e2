"""Scan API shapes: decoded codes and what each identifies."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from server.web.schemas import Strict


class ScanTextIn(Strict):
    """A code read by the device itself (a scanner, a headset), as text."""

    text: str = Field(min_length=1, max_length=2000)


class CodeOut(BaseModel):
    format: str
    text: str
    gs1: dict[str, Any] | None = None
    resolves_to: dict[str, Any] | None = Field(
        default=None, description="{kind, id, code, name, status, ...}; null when unknown."
    )
    message: str


class ScanOut(BaseModel):
    codes: list[CodeOut]
    message: str

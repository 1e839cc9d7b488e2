"""Scan API shapes: decoded codes and what each identifies."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from server.scans.service import Scan, ScannedCode
from server.web.schemas import Strict


class ScanTextIn(Strict):
    """A code read by the device itself (a scanner, a headset), as text."""

    text: str = Field(min_length=1, max_length=2000)


class CodeOut(BaseModel):
    format: str
    text: str
    gs1: dict[str, Any] | None = Field(
        default=None,
        description="{gtin, lot, expiry, serial, elements}: every GS1 code's data, known or not.",
    )
    gtin_known: bool | None = Field(
        default=None, description="Whether the GS1 code's GTIN is in the material master here."
    )
    resolves_to: dict[str, Any] | None = Field(
        default=None, description="{kind, id, code, name, status, ...}; null when unknown."
    )
    message: str

    @classmethod
    def of(cls, code: ScannedCode) -> CodeOut:
        return cls(
            format=code.format,
            text=code.text,
            gs1=code.gs1,
            gtin_known=code.gtin_known,
            resolves_to=code.resolves_to,
            message=code.message,
        )


class ScanOut(BaseModel):
    codes: list[CodeOut]
    message: str

    @classmethod
    def of(cls, scan: Scan) -> ScanOut:
        return cls(codes=[CodeOut.of(code) for code in scan.codes], message=scan.message)

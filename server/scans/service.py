"""Scanning: decode the codes in an image, or take a code as text, and say what each is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from media.codes import DecodedCode, decode_image
from media.exceptions import ImageUnreadable
from media.gs1 import Gs1Data
from media.images import read_header
from server.concurrency import WorkerPool, run_blocking
from server.scans.exceptions import CodeMalformed, ImageRejected
from server.scans.resolver import Resolution, gtin_known, parse_code, resolve

# What cameras send; the header of each tells its true size before anything is decoded.
SCANNED_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})


async def decode_photo(workers: WorkerPool, data: bytes, max_pixels: int) -> list[DecodedCode]:
    """Every code in a photo or frame, with no transaction open: its header is held against
    the pixel budget at once, then the image is decoded on the image workers."""
    try:
        header = await run_blocking(read_header, data, max_pixels)
    except ImageUnreadable as exc:
        raise ImageRejected(exc.reason) from exc
    if header.format not in SCANNED_FORMATS:
        raise ImageRejected(f"a {header.format} image cannot be scanned: send PNG, JPEG or WebP")
    try:
        return await workers.run(decode_image, data)
    except ImageUnreadable as exc:
        raise ImageRejected(exc.reason) from exc


@dataclass(frozen=True)
class ScannedCode:
    """A code that was read, and what it identifies here (None: nothing known)."""

    format: str
    text: str
    message: str
    gs1: dict[str, Any] | None = None
    gtin_known: bool | None = None
    resolves_to: dict[str, Any] | None = None


@dataclass(frozen=True)
class Scan:
    """Every code read in one scan, with a sentence about them."""

    codes: list[ScannedCode]
    message: str


async def scan_codes(session: AsyncSession, decoded: Sequence[DecodedCode]) -> Scan:
    """What each code decoded from an image identifies."""
    codes = [await _resolved(session, code.format, code.text) for code in decoded]
    if not codes:
        return Scan(
            codes=[],
            message="No code found in the image. Hold the label flat and closer, in good light.",
        )
    return Scan(codes=codes, message=_summary(codes))


async def scan_text(session: AsyncSession, text: str) -> Scan:
    """Resolve a code read by the device itself."""
    code = await _resolved(session, "text", text, strict=True)
    return Scan(codes=[code], message=code.message)


async def _resolved(
    session: AsyncSession, format: str, text: str, *, strict: bool = False
) -> ScannedCode:
    """A decoded code and what it identifies; malformed GS1 is refused as text, reported in
    an image (where the other codes are still useful)."""
    try:
        gs1 = parse_code(text.strip(), "text")
        found = await resolve(session, text)
    except CodeMalformed as exc:
        if strict:
            raise
        return ScannedCode(format=format, text=text, message=exc.detail)
    known = None if gs1 is None or gs1.gtin is None else await gtin_known(session, gs1.gtin)
    return ScannedCode(
        format=format,
        text=text,
        gs1=gs1.to_json() if gs1 else None,
        gtin_known=known,
        resolves_to=found.summary() if found else None,
        message=_message(found, gs1, known),
    )


def _message(found: Resolution | None, gs1: Gs1Data | None, known: bool | None) -> str:
    if found is None and gs1 is not None:
        parts = [f"{name} {value}" for name, value in _gs1_facts(gs1)]
        unknown = f"; GTIN {gs1.gtin} is not in the material master here" if known is False else ""
        return f"GS1 code: {', '.join(parts)}{unknown}."
    if found is None:
        return "This code identifies no equipment, lot or container known here."
    summary = found.summary()
    text = f"{found.kind.capitalize()} {summary['code']}: {summary['name']}, {summary['status']}"
    return "; ".join([text, *found.notes]) + "."


def _gs1_facts(gs1: Gs1Data) -> list[tuple[str, str]]:
    facts = [("GTIN", gs1.gtin), ("lot", gs1.lot), ("serial", gs1.serial)]
    expiry = None if gs1.expiry is None else gs1.expiry.isoformat()
    return [(name, value) for name, value in [*facts, ("expiry", expiry)] if value]


def _summary(codes: list[ScannedCode]) -> str:
    known = sum(code.resolves_to is not None for code in codes)
    return f"{len(codes)} code(s) found, {known} known here."

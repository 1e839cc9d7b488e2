"""Scanning: decode the codes in an image, or take a code as text, and say what each is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from media.codes import DecodedCode, decode_image
from media.exceptions import ImageUnreadable
from media.images import read_header
from server.concurrency import WorkerPool, run_blocking
from server.scans.exceptions import CodeMalformed, ImageRejected
from server.scans.resolver import Resolution, resolve

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
        found = await resolve(session, text)
    except CodeMalformed as exc:
        if strict:
            raise
        return ScannedCode(format=format, text=text, message=exc.detail)
    return ScannedCode(
        format=format,
        text=text,
        gs1=found.gs1.to_json() if found and found.gs1 else None,
        resolves_to=found.summary() if found else None,
        message=_message(found),
    )


def _message(found: Resolution | None) -> str:
    if found is None:
        return "This code identifies no equipment, lot or container known here."
    summary = found.summary()
    text = f"{found.kind.capitalize()} {summary['code']}: {summary['name']}, {summary['status']}"
    return "; ".join([text, *found.notes]) + "."


def _summary(codes: list[ScannedCode]) -> str:
    known = sum(code.resolves_to is not None for code in codes)
    return f"{len(codes)} code(s) found, {known} known here."

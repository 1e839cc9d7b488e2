"""Scanning: decode the codes in an image, or take a code as text, and say what each is."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from media.codes import decode_image
from media.exceptions import ImageUnreadable
from server.concurrency import run_blocking
from server.scans.exceptions import CodeMalformed, ImageRejected
from server.scans.resolver import Resolution, resolve
from server.scans.schemas import CodeOut, ScanOut


async def scan_image(session: AsyncSession, data: bytes) -> ScanOut:
    """Decode every code in a photo or frame (off the event loop) and resolve each."""
    if not data:
        raise ImageRejected("the image is empty")
    try:
        decoded = await run_blocking(decode_image, data)
    except ImageUnreadable as exc:
        raise ImageRejected(exc.reason) from exc
    codes = [await _resolved(session, code.format, code.text) for code in decoded]
    if not codes:
        return ScanOut(
            codes=[],
            message="No code found in the image. Hold the label flat and closer, in good light.",
        )
    return ScanOut(codes=codes, message=_summary(codes))


async def scan_text(session: AsyncSession, text: str) -> ScanOut:
    """Resolve a code read by the device itself."""
    code = await _resolved(session, "text", text, strict=True)
    return ScanOut(codes=[code], message=code.message)


async def _resolved(
    session: AsyncSession, format: str, text: str, *, strict: bool = False
) -> CodeOut:
    """A decoded code and what it identifies; malformed GS1 is refused as text, reported in
    an image (where the other codes are still useful)."""
    try:
        found = await resolve(session, text)
    except CodeMalformed as exc:
        if strict:
            raise
        return CodeOut(format=format, text=text, message=exc.detail)
    return CodeOut(
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


def _summary(codes: list[CodeOut]) -> str:
    known = sum(code.resolves_to is not None for code in codes)
    return f"{len(codes)} code(s) found, {known} known here."

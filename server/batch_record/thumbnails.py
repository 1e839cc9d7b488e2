"""Thumbnails of the photos and snapshots a batch record shows.

A thumbnail is derived from immutable bytes named by their SHA-256, so it is made once and
kept beside the media files (`thumbnails/<sha256>-<pixels>.jpg`): exporting a record again
does not decode its photos again.
"""

from __future__ import annotations

import asyncio
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from server.batch_record.schema import AttachmentEntry
from server.concurrency import run_blocking
from server.media_store.files import MediaFiles

PIXELS = 240
PICTURE_TYPES = frozenset({"image/png", "image/jpeg"})


def thumbnail(data: bytes) -> bytes | None:
    """A small JPEG of a picture (None if the bytes are no readable image)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (PIXELS, PIXELS))
            small = image.convert("RGB")
            small.thumbnail((PIXELS, PIXELS))
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


def _cached_path(files: MediaFiles, media_id: str) -> Path:
    files.path(media_id)  # checks the id's shape
    return files.root / "thumbnails" / f"{media_id}-{PIXELS}.jpg"


def _keep(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def thumbnail_of(files: MediaFiles, media_id: str) -> bytes | None:
    """The thumbnail of a stored picture, made and kept on first use (blocking); None when
    the picture is missing from the media files or unreadable."""
    cached = _cached_path(files, media_id)
    try:
        return cached.read_bytes()
    except FileNotFoundError:
        pass
    try:
        small = thumbnail(files.read(media_id))
    except FileNotFoundError:
        return None
    if small is not None:
        _keep(cached, small)
    return small


async def thumbnails(files: MediaFiles, attachments: Sequence[AttachmentEntry]) -> dict[str, bytes]:
    """Thumbnails of the pictures among `attachments`, by attachment id, made in parallel
    off the event loop."""
    media_ids = sorted({a.sha256 for a in attachments if a.media_type in PICTURE_TYPES})
    made = await asyncio.gather(*(run_blocking(thumbnail_of, files, m) for m in media_ids))
    by_media = dict(zip(media_ids, made, strict=True))
    return {a.id: small for a in attachments if (small := by_media.get(a.sha256)) is not None}

"""Checking an uploaded step file is what its Content-Type says, before any transaction.

Pictures are decoded whole on the image workers (as photos are); videos and PDFs are checked
by their signature bytes, which is all the server needs: it stores and serves them, it never
plays or renders them.
"""

from __future__ import annotations

from procedures.model import STEP_MEDIA_TYPES
from server.concurrency import WorkerPool, run_blocking
from server.media_store.exceptions import MediaRejected, MediaTypeUnsupported
from server.media_store.files import MediaFiles
from server.media_store.images import check_header, check_pixels
from server.media_store.service import StoredFile

# Upload content type → the kind of step media it is.
KIND_OF: dict[str, str] = {
    content_type: kind for kind, types in STEP_MEDIA_TYPES.items() for content_type in types
}


def _check_signature(data: bytes, content_type: str) -> None:
    """MediaRejected unless the first bytes are those of a `content_type` file."""
    if content_type == "application/pdf":
        matches = data.startswith(b"%PDF-")
    elif content_type == "video/mp4":
        matches = len(data) >= 12 and data[4:8] == b"ftyp"
    else:  # video/webm: an EBML header
        matches = data.startswith(b"\x1a\x45\xdf\xa3")
    if not matches:
        raise MediaRejected(f"the bytes are not a {content_type} file", code="type_mismatch")


async def store_step_file(
    workers: WorkerPool, files: MediaFiles, data: bytes, content_type: str, max_pixels: int
) -> StoredFile:
    """Check an uploaded step file and write it to the media files (no transaction open)."""
    if content_type not in KIND_OF:
        raise MediaTypeUnsupported(content_type, tuple(KIND_OF))
    if not data:
        raise MediaRejected("the body is empty", code="empty")
    if KIND_OF[content_type] == "image":
        await run_blocking(check_header, data, content_type, max_pixels)
        await workers.run(check_pixels, data, max_pixels)
    else:
        _check_signature(data, content_type)
    return StoredFile(await run_blocking(files.put, data), content_type, len(data))

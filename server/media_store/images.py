"""Checking that uploaded bytes are the whole image they claim to be, before any transaction."""

from __future__ import annotations

from media.exceptions import ImageTooLarge, ImageUnreadable
from media.images import decode_fully, read_header
from server.media_store.exceptions import MediaRejected

# Upload content type → the format Pillow must find in the bytes.
IMAGE_TYPES: dict[str, str] = {"image/png": "PNG", "image/jpeg": "JPEG"}


def check_header(data: bytes, content_type: str, max_pixels: int) -> None:
    """MediaRejected unless the header is of `content_type` and within the pixel budget
    (blocking but cheap: nothing is decoded)."""
    try:
        found = read_header(data, max_pixels).format
    except ImageTooLarge as exc:
        raise MediaRejected(exc.reason, code="too_many_pixels") from exc
    except ImageUnreadable as exc:
        raise MediaRejected(exc.reason) from exc
    if found != IMAGE_TYPES[content_type]:
        raise MediaRejected(f"the bytes are a {found} image, not {content_type}")


def check_pixels(data: bytes, max_pixels: int) -> None:
    """MediaRejected unless every pixel decodes (blocking, CPU and memory bound)."""
    try:
        decode_fully(data, max_pixels)
    except ImageUnreadable as exc:
        raise MediaRejected(exc.reason) from exc

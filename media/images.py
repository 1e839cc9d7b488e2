"""Untrusted image bytes, checked before they cost memory: the size the header declares is
held against a pixel budget before a single pixel is decoded, then every pixel is decoded
(Pillow's `verify()` does not decode JPEG data, so a truncated photo would pass it).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from media.exceptions import ImageTooLarge, ImageUnreadable

# JPEG decodes at 1/8 scale (DCT scaling): every coefficient is still read, so truncated or
# corrupt data still fails, in 1/64 of the memory.
_JPEG_SCALE = 8
_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


@dataclass(frozen=True)
class ImageHeader:
    """What an image's header declares: its format (Pillow's name) and size in pixels."""

    format: str
    width: int
    height: int


def read_header(data: bytes, max_pixels: int) -> ImageHeader:
    """The image's format and size, read without decoding (blocking but cheap).

    ImageUnreadable when the bytes are no image Pillow knows; ImageTooLarge when the header
    declares more than `max_pixels`."""
    if not data:
        raise ImageUnreadable("the image is empty")
    try:
        with Image.open(io.BytesIO(data)) as image:
            header = ImageHeader(image.format or "", *image.size)
    except Image.DecompressionBombError as exc:
        # Pillow's own guard (above any sane budget) fires before the size can be read.
        raise ImageTooLarge(max_pixels) from exc
    except _DECODE_ERRORS as exc:
        raise ImageUnreadable(f"the bytes are not a readable image ({type(exc).__name__})") from exc
    if header.width * header.height > max_pixels:
        raise ImageTooLarge(max_pixels, (header.width, header.height))
    return header


def decode_fully(data: bytes, max_pixels: int) -> ImageHeader:
    """Check the header against the budget, then decode every pixel (blocking, CPU and
    memory bound: run it in a bounded worker pool). ImageUnreadable when any of it fails."""
    header = read_header(data, max_pixels)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if header.format == "JPEG":
                image.draft(
                    image.mode, (-(-header.width // _JPEG_SCALE), -(-header.height // _JPEG_SCALE))
                )
            image.load()
    except _DECODE_ERRORS as exc:
        raise ImageUnreadable(f"the image data is damaged or cut short ({exc})") from exc
    return header

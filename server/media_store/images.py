"""Checking that uploaded bytes are the image they claim to be."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

# Upload content type → the format Pillow must find in the bytes.
IMAGE_TYPES: dict[str, str] = {"image/png": "PNG", "image/jpeg": "JPEG"}


def image_problem(data: bytes, content_type: str) -> str | None:
    """Why `data` is not a well-formed image of `content_type`, or None when it is (blocking)."""
    if not data:
        return "the body is empty"
    try:
        with Image.open(io.BytesIO(data)) as image:
            found = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return f"the bytes are not a readable image ({exc.__class__.__name__})"
    if found != IMAGE_TYPES[content_type]:
        return f"the bytes are a {found} image, not {content_type}"
    return None

"""Errors of the media domain. They carry data; mapping them to HTTP is the server's job.

MediaError
├── ImageUnreadable   the bytes or frame are not an image that can be decoded
│   └── ImageTooLarge the image declares more pixels than the budget allows
├── Gs1Invalid        a string is not valid GS1 data (check digit, unknown AI, truncated, date)
└── LabelInvalid      the content of a label cannot be encoded or does not fit
"""

from __future__ import annotations


class MediaError(Exception):
    """Base of every error raised by the media package; `reason` says what is wrong."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class ImageUnreadable(MediaError):
    """The data is empty or not an image format OpenCV can decode."""


class Gs1Invalid(MediaError):
    """The text is not a valid GS1 element string, HRI or Digital Link URI."""


class LabelInvalid(MediaError):
    """The label content cannot be encoded: empty QR text, text too long for the label."""


class ImageTooLarge(ImageUnreadable):
    """The image declares more pixels than the budget: refused from its header, undecoded.
    `size` is what the header declares, when Pillow let it be read."""

    def __init__(self, limit: int, size: tuple[int, int] | None = None) -> None:
        self.limit, self.size = limit, size
        declared = f"{size[0]} x {size[1]} pixels" if size else "more pixels than that"
        super().__init__(f"the limit is {limit / 1e6:g} megapixels; the image declares {declared}")

"""media.images: the header against the pixel budget, then every pixel decoded."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from media.exceptions import ImageTooLarge, ImageUnreadable
from media.images import decode_fully, read_header
from tests.security.images import blank_png, jpeg, jpeg_declaring


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (1, 2, 3)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_header_gives_format_and_size_without_decoding() -> None:
    header = read_header(jpeg_declaring(6000, 4000), max_pixels=30_000_000)

    assert (header.format, header.width, header.height) == ("JPEG", 6000, 4000)


@pytest.mark.parametrize("data", [jpeg_declaring(8000, 6000), blank_png(30_000, 30_000)])
def test_an_image_over_the_budget_is_refused_from_its_header(data: bytes) -> None:
    with pytest.raises(ImageTooLarge) as refused:
        read_header(data, max_pixels=40_000_000)

    assert "40 megapixels" in refused.value.reason


@pytest.mark.parametrize("data", [jpeg(320, 240), _png(320, 240)], ids=["jpeg", "png"])
def test_a_whole_image_decodes(data: bytes) -> None:
    assert decode_fully(data, max_pixels=100_000).width == 320


@pytest.mark.parametrize("data", [jpeg(320, 240), _png(320, 240)], ids=["jpeg", "png"])
def test_an_image_cut_short_does_not_decode(data: bytes) -> None:
    with pytest.raises(ImageUnreadable):
        decode_fully(data[: len(data) * 2 // 3], max_pixels=100_000)


def test_bytes_that_are_no_image_are_unreadable() -> None:
    with pytest.raises(ImageUnreadable):
        read_header(b"hello", max_pixels=100)

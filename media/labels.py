"""Printable container labels (100 x 60 mm): title, caption/value lines, a QR code and an
optional GS1 DataMatrix with its human-readable interpretation, as PNG (300 dpi) or vector PDF.

The layout is computed once in millimetres and points, with DejaVu metrics, and then painted by
either renderer, so the PNG and the PDF show the same label.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from media.exceptions import Gs1Invalid, LabelInvalid
from media.gs1 import Gs1Data, element_string, parse_gs1
from media.symbols import gs1_datamatrix_modules, qr_modules, raster

WIDTH_MM, HEIGHT_MM = 100.0, 60.0
DPI = 300
MAX_LINES = 5

_MARGIN = 3.0
_BODY_TOP = 10.0  # below the title: lines on the left, codes on the right
_QR_MM, _DM_MM = 24.0, 20.0
_DM_TOP = _BODY_TOP + _QR_MM + 2.0
_CODES_X = WIDTH_MM - _MARGIN - _QR_MM
_TEXT_WIDTH = _CODES_X - 2 * _MARGIN
_PT = 25.4 / 72  # millimetres per point
_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_FONTS = {  # style: (DejaVu file, reportlab built-in used when DejaVu is absent)
    "caption": ("DejaVuSans.ttf", "Helvetica"),
    "bold": ("DejaVuSans-Bold.ttf", "Helvetica-Bold"),
    "condensed": ("DejaVuSansCondensed-Bold.ttf", "Helvetica-Bold"),
    "mono": ("DejaVuSansMono.ttf", "Courier"),
}
_GREYS = {"caption": 90}  # grey level of the styles not printed black


@dataclass(frozen=True)
class LabelContent:
    """What a label shows: `lines` are (caption, value) pairs such as ("Lot", "L123"); the QR
    code carries `qr_text`, the DataMatrix (when `gs1` is given) GTIN, expiry, lot and serial."""

    title: str
    lines: tuple[tuple[str, str], ...]
    qr_text: str
    gs1: Gs1Data | None = None


@dataclass(frozen=True)
class _Text:
    x: float  # mm from the left
    baseline: float  # mm from the top
    text: str
    style: str
    size: float  # pt


@dataclass(frozen=True)
class _Symbol:
    x: float  # mm from the left
    y: float  # mm from the top
    side: float  # mm, quiet zone included
    modules: np.ndarray  # True = dark, quiet zone included


@dataclass(frozen=True)
class _Layout:
    texts: tuple[_Text, ...]
    symbols: tuple[_Symbol, ...]


def render_label_png(content: LabelContent) -> bytes:
    """The label as a 1181 x 709 px grayscale PNG (300 dpi); `LabelInvalid` if it cannot be made."""
    layout = _layout(content)
    px = DPI / 25.4
    image = Image.new("L", (round(WIDTH_MM * px), round(HEIGHT_MM * px)), 255)
    for symbol in layout.symbols:
        # Whole pixels per module keep every module the same width on the printer.
        module_px = int(symbol.side * px) // symbol.modules.shape[0]
        pixels = raster(symbol.modules, module_px, quiet_zone=0)
        offset = (int(symbol.side * px) - pixels.shape[0]) // 2
        position = (round(symbol.x * px) + offset, round(symbol.y * px) + offset)
        image.paste(Image.fromarray(pixels), position)
    draw = ImageDraw.Draw(image)
    for text in layout.texts:
        font = _pil_font(text.style, round(text.size * _PT * px))
        fill = _GREYS.get(text.style, 0)
        draw.text((text.x * px, text.baseline * px), text.text, font=font, fill=fill, anchor="ls")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def render_label_pdf(content: LabelContent) -> bytes:
    """The label as a one-page vector PDF of 100 x 60 mm; `LabelInvalid` if it cannot be made."""
    layout = _layout(content)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(WIDTH_MM * mm, HEIGHT_MM * mm), invariant=True)
    pdf.setTitle(content.title)
    for symbol in layout.symbols:
        module = symbol.side / symbol.modules.shape[0]
        for row, dark in enumerate(symbol.modules):
            # One rectangle per run of dark modules keeps the PDF small.
            edges = np.flatnonzero(np.diff(np.concatenate(([0], dark.astype(np.int8), [0]))))
            top = HEIGHT_MM - symbol.y - (row + 1) * module
            for start, end in zip(edges[::2], edges[1::2], strict=True):
                x = symbol.x + start * module
                pdf.rect(x * mm, top * mm, (end - start) * module * mm, module * mm, 0, 1)
    for text in layout.texts:
        pdf.setFillGray(_GREYS.get(text.style, 0) / 255)
        pdf.setFont(_pdf_font(text.style), text.size)
        pdf.drawString(text.x * mm, (HEIGHT_MM - text.baseline) * mm, text.text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _layout(content: LabelContent) -> _Layout:
    """Place everything, shrinking type to fit; `LabelInvalid` when something still does not."""
    if not content.title:
        raise LabelInvalid("the title is empty")
    for caption, value in (("Title", content.title), *content.lines):
        if not value.isprintable() or not caption.isprintable():
            raise LabelInvalid(f"{caption} contains a line break or control character")
    if len(content.lines) > MAX_LINES:
        raise LabelInvalid(f"{len(content.lines)} lines given, at most {MAX_LINES} fit")

    title_width = WIDTH_MM - 2 * _MARGIN
    texts = [
        _fitted(content.title, ("bold",), _MARGIN, _MARGIN + 4.5, 12, 8, title_width, "the title")
    ]
    qr = np.pad(qr_modules(content.qr_text), 4)
    symbols = [_Symbol(_CODES_X, _BODY_TOP, _QR_MM, qr)]
    text_bottom = HEIGHT_MM - _MARGIN
    if content.gs1 is not None:
        encoded = _label_gs1(content.gs1)
        datamatrix = np.pad(gs1_datamatrix_modules(encoded), 2)
        symbols.append(_Symbol(_CODES_X + (_QR_MM - _DM_MM) / 2, _DM_TOP, _DM_MM, datamatrix))
        hri_lines = _wrapped_hri(encoded, _TEXT_WIDTH)
        for index, line in enumerate(reversed(hri_lines)):
            texts.append(_Text(_MARGIN, text_bottom - index * 3.0, line, "mono", 7))
        text_bottom -= 3.0 * len(hri_lines) + 1.5

    pitch = min(8.5, (text_bottom - _BODY_TOP) / max(1, len(content.lines)))
    for index, (caption, value) in enumerate(content.lines):
        top = _BODY_TOP + index * pitch
        what = f"caption {caption!r}"
        texts.append(_fitted(caption, ("caption",), _MARGIN, top + 2.5, 7, 7, _TEXT_WIDTH, what))
        what = f"the value of {caption!r}"
        value_styles = ("bold", "condensed")  # condensed only for what 6 pt bold cannot fit
        texts.append(_fitted(value, value_styles, _MARGIN, top + 6.5, 10, 6, _TEXT_WIDTH, what))
    return _Layout(tuple(texts), tuple(symbols))


def _label_gs1(data: Gs1Data) -> Gs1Data:
    """GTIN, expiry, lot and serial of `data`, validated and in the order they are encoded."""
    if data.gtin is None:
        raise LabelInvalid("a GS1 DataMatrix needs a GTIN")
    try:
        return parse_gs1(element_string(data.gtin, data.lot, data.expiry, data.serial))
    except Gs1Invalid as exc:
        raise LabelInvalid(f"GS1 data: {exc.reason}") from exc


def _fitted(
    text: str,
    styles: tuple[str, ...],
    x: float,
    baseline: float,
    size: float,
    min_size: float,
    width: float,
    what: str,
) -> _Text:
    """`text` in the first style, at the largest size from `size` down to `min_size`, that
    fits `width` mm; `LabelInvalid` naming `what` if none does."""
    for style in styles:
        for step in range(int((size - min_size) * 2) + 1):
            if _width_mm(text, style, size - step / 2) <= width:
                return _Text(x, baseline, text, style, size - step / 2)
    raise LabelInvalid(f"{what} is too long for the label")


def _wrapped_hri(data: Gs1Data, width: float) -> list[str]:
    """The GS1 HRI "(01)…(17)…" over as few lines as fit `width`, breaking between elements."""
    lines = [""]
    for ai, value in data.elements.items():
        element = f"({ai}){value}"
        if lines[-1] and _width_mm(lines[-1] + element, "mono", 7) > width:
            lines.append("")
        lines[-1] += element
    return lines


def _width_mm(text: str, style: str, size: float) -> float:
    return pdfmetrics.stringWidth(text, _pdf_font(style), size) * _PT


@functools.cache
def _pdf_font(style: str) -> str:
    """The reportlab font name for a style, registering DejaVu once when it is installed."""
    filename, builtin = _FONTS[style]
    path = _FONT_DIR / filename
    if not path.exists():
        return builtin
    name = path.stem
    pdfmetrics.registerFont(TTFont(name, str(path)))
    return name


@functools.cache
def _pil_font(style: str, size_px: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _FONT_DIR / _FONTS[style][0]
    if path.exists():
        return ImageFont.truetype(str(path), size_px)
    return ImageFont.load_default(size_px)

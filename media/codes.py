"""Decoding QR codes, DataMatrix and linear barcodes in photos and video frames with zxing-cpp.

A frame first gets one plain zxing pass. Only when that finds nothing are the code-like regions
(compact blobs of dense edges on a quarter-size copy, and symbols zxing located but could not
read) cropped, enlarged, sharpened (after smoothing, for noise) and decoded again: a blurred,
noisy or dark code costs a few small crops, not more full-frame passes. Where zxing located a
symbol but still reads none, or the grain is strong, the region is denoised (non-local means).
When even those fail, the blur of the likeliest crops (heavy shake, defocus) is measured and
undone (`media.deblur`); on a live frame, mostly codeless, an even blur (defocus) is undone only
where zxing located a symbol, so an empty frame rarely pays a deconvolution.
zxing verifies every symbol's error correction, so the retries add codes, not misreads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import zxingcpp

from media import deblur
from media.exceptions import ImageUnreadable

_FORMATS = (
    # Model 2 only: Micro QR and rMQR have too little error correction to trust on noise.
    zxingcpp.BarcodeFormat.QRCodeModel2,
    zxingcpp.BarcodeFormat.DataMatrix,
    zxingcpp.BarcodeFormat.Code128,
    zxingcpp.BarcodeFormat.EAN13,
    zxingcpp.BarcodeFormat.EAN8,
    zxingcpp.BarcodeFormat.UPCA,
    zxingcpp.BarcodeFormat.UPCE,
)
# zxing's own retries (rotated linear codes, downscaled and inverted copies) are costly on a
# full frame: a video frame gets none of them, a still all, a crop the first two.
_FAST = {"try_rotate": False, "try_downscale": False, "try_invert": False}
_THOROUGH: dict[str, bool] = {}
_CROP = {"try_invert": False}
_REGION_SCALE = 4
_MAX_REGIONS = 4
_MAX_HINTS = 2
_MAX_DEBLURRED = 2  # likeliest regions whose blur is undone when nothing else reads
_MAX_DEBLURRED_LOCATED = 3  # with those where zxing located a symbol
_CROP_SIDE = 360  # small regions are enlarged to about this size
# Unsharp masks tried on a region: smoothing and radius in its pixels, amount; the radius is at
# least _MIN_RADIUS pixels of the enlarged region.
_RETRIES = ((0.0, 1.0, 1.0), (0.6, 1.0, 2.0), (0.0, 1.5, 1.5))
_MIN_RADIUS = 2.5
# Non-local means on a region where zxing located a symbol: strength in grey levels, patch and
# search sides in pixels (small, for 2-pixel modules and a few milliseconds).
_DENOISING = 15
_DENOISING_PATCH = 3
_DENOISING_AREA = 7
_MIN_GRAIN = 1.5  # grey levels of noise above which the likeliest regions are denoised too
_GRAIN_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
_KERNEL = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))


@dataclass(frozen=True)
class DecodedCode:
    """One code found in an image. For GS1 symbols `text` is the element string with its GS
    separators, as `media.gs1.parse_gs1` expects; `corners` are pixel positions, clockwise
    from the symbol's top left."""

    format: str
    text: str
    is_gs1: bool
    corners: tuple[tuple[float, float], ...]

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "format": self.format,
            "text": self.text,
            "is_gs1": self.is_gs1,
            "corners": [list(point) for point in self.corners],
        }


def decode_image(data: bytes) -> list[DecodedCode]:
    """Every code in an encoded image (JPEG, PNG, WebP…); `ImageUnreadable` if it is none.

    A still gets every retry, light-on-dark codes included, even after a first find."""
    if not data:
        raise ImageUnreadable("the image is empty")
    try:
        gray = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    except cv2.error as exc:
        raise ImageUnreadable(f"the image cannot be decoded: {exc.err}") from exc
    if gray is None:
        raise ImageUnreadable("the data is not a decodable image")
    return _decode(gray, exhaustive=True)


def decode_frame(frame: np.ndarray) -> list[DecodedCode]:
    """The codes in a BGR or grayscale video frame, retrying harder only if none is found."""
    return _decode(_gray(frame), exhaustive=False)


def sharpness(frame: np.ndarray) -> float:
    """Variance of the Laplacian: higher is sharper, to prefer the best frames of a stream."""
    return float(cv2.Laplacian(_gray(frame), cv2.CV_64F).var())


def _gray(frame: np.ndarray) -> np.ndarray:
    if frame.dtype != np.uint8 or frame.ndim not in (2, 3) or frame.size == 0:
        raise ImageUnreadable(f"a frame must be 8-bit gray or BGR, got {frame.dtype} {frame.shape}")
    if frame.ndim == 2:
        return frame
    conversions = {1: None, 3: cv2.COLOR_BGR2GRAY, 4: cv2.COLOR_BGRA2GRAY}
    if frame.shape[2] not in conversions:
        raise ImageUnreadable(f"a frame must be 8-bit gray or BGR, got {frame.shape[2]} channels")
    code = conversions[frame.shape[2]]
    return frame[..., 0] if code is None else cv2.cvtColor(frame, code)


@dataclass(frozen=True)
class _Region:
    """A box of the frame that may hold a code."""

    x0: int
    y0: int
    x1: int
    y1: int

    def holds(self, x: float, y: float) -> bool:
        return self.x0 <= x < self.x1 and self.y0 <= y < self.y1

    def covers(self, other: _Region) -> bool:
        """Whether this region holds the other's centre."""
        return self.holds((other.x0 + other.x1) / 2, (other.y0 + other.y1) / 2)


def _decode(gray: np.ndarray, *, exhaustive: bool) -> list[DecodedCode]:
    barcodes = _barcodes(gray, _THOROUGH if exhaustive else _FAST, return_errors=True)
    found = [_decoded(barcode) for barcode in barcodes if barcode.valid]
    if exhaustive or not found:
        # zxing's failed detections (a checksum error, say) are the best hints where to retry.
        missed = [_region_around(b.position, gray.shape) for b in barcodes if not b.valid]
        hints = [region for region in missed if region is not None]
        regions = _regions(gray, hints)
        located = [region for region in regions if any(region.covers(hint) for hint in hints)]
        for region in regions:
            codes, seen = _read_enhanced(gray, region)
            found += codes
            if seen and region not in located:
                located.append(region)
        for region in _denoise_candidates(gray, regions, located) if not found else ():
            found += _read_denoised(gray, region)
        if not found:
            # A still is worth undoing any blur; a live frame, mostly codeless, only a shake's
            # or where zxing located a symbol.
            trusted = regions if exhaustive else located
            found = _read_deblurred(gray, _deblur_candidates(regions, located), trusted)
    unique: dict[tuple[str, str], DecodedCode] = {}
    for code in found:
        unique.setdefault((code.format, code.text), code)
    return list(unique.values())


def _deblur_candidates(regions: list[_Region], located: list[_Region]) -> list[_Region]:
    """The likeliest regions, then those where zxing located a symbol, at most a few."""
    candidates = regions[:_MAX_DEBLURRED]
    candidates += [region for region in located if region not in candidates]
    return candidates[:_MAX_DEBLURRED_LOCATED]


def _denoise_candidates(
    gray: np.ndarray, regions: list[_Region], located: list[_Region]
) -> list[_Region]:
    """Where zxing located a symbol, then the likeliest regions if their grain is strong."""
    grainy = [
        region
        for region in regions[:_MAX_DEBLURRED]
        if region not in located
        and _grain(gray[region.y0 : region.y1, region.x0 : region.x1]) > _MIN_GRAIN
    ]
    return located + grainy


def _grain(crop: np.ndarray) -> float:
    """The sensor noise's standard deviation in grey levels, roughly: the median response to a
    kernel that cancels shading and straight edges (Immerkær's fast noise estimate)."""
    response = cv2.filter2D(crop.astype(np.float32), -1, _GRAIN_KERNEL)
    return float(np.median(np.abs(response))) * np.sqrt(np.pi / 2) / 6


def _barcodes(
    image: np.ndarray, options: dict[str, bool], *, return_errors: bool = False
) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(
        image,
        formats=_FORMATS,
        text_mode=zxingcpp.TextMode.Plain,
        return_errors=return_errors,
        **options,
    )


def _decoded(
    barcode: zxingcpp.Barcode, offset: tuple[int, int] = (0, 0), scale: float = 1.0
) -> DecodedCode:
    """A zxing result, its corners mapped back to the frame the image was cut from."""
    return DecodedCode(
        format=barcode.format.name,
        text=barcode.text,
        is_gs1=barcode.content_type == zxingcpp.ContentType.GS1,
        corners=tuple(
            (x / scale + offset[0], y / scale + offset[1]) for x, y in _corners(barcode.position)
        ),
    )


def _corners(position: zxingcpp.Position) -> list[tuple[int, int]]:
    """Clockwise from the symbol's top left."""
    points = (position.top_left, position.top_right, position.bottom_right, position.bottom_left)
    return [(point.x, point.y) for point in points]


def _region_around(position: zxingcpp.Position, shape: tuple[int, ...]) -> _Region | None:
    """The box around a symbol zxing located but could not read, with a quiet-zone margin."""
    points = np.array(_corners(position))
    low, high = points.min(axis=0), points.max(axis=0)
    side = float((high - low).max())
    if side < 8:
        return None
    return _bounded(low - side / 3, high + side / 3, shape)


def _bounded(low: np.ndarray, high: np.ndarray, shape: tuple[int, ...]) -> _Region:
    height, width = shape[:2]
    x0, y0 = (max(0, int(v)) for v in low)
    return _Region(x0, y0, min(width, int(high[0])), min(height, int(high[1])))


def _regions(gray: np.ndarray, hints: list[_Region]) -> list[_Region]:
    """The few most code-like regions: compact blobs of dense edges on a quarter-size copy,
    strongest first, then those of the `hints` that none of them covers."""
    if min(gray.shape[:2]) < _REGION_SCALE:
        return hints  # too small to shrink: no region finding, only the hints
    small = cv2.resize(
        gray, None, fx=1 / _REGION_SCALE, fy=1 / _REGION_SCALE, interpolation=cv2.INTER_AREA
    )
    energy = cv2.blur(cv2.morphologyEx(small, cv2.MORPH_GRADIENT, _KERNEL), (5, 5))
    _, mask = cv2.threshold(energy, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, _KERNEL)
    # Outer outlines of every blob, nested ones too: a code sits inside the outline of its label.
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    scored = []
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0] if contours else (), strict=True):
        if parent != -1:
            continue
        sides = sorted(cv2.minAreaRect(contour)[1])
        # A code is a solid blob, square-ish for 2D codes, up to 6:1 for a linear code.
        if sides[0] < 5 or sides[1] > 6 * sides[0]:
            continue
        if cv2.contourArea(contour) < 0.7 * sides[0] * sides[1]:
            continue
        x, y, w, h = cv2.boundingRect(contour)
        strength = float(energy[y : y + h, x : x + w].mean())
        scored.append((strength, x, y, w, h))
    scored.sort(reverse=True)
    regions = []
    for _, x, y, w, h in scored[:_MAX_REGIONS]:
        margin = max(w, h) / 4 + 2
        low = np.array([x - margin, y - margin]) * _REGION_SCALE
        high = np.array([x + w + margin, y + h + margin]) * _REGION_SCALE
        regions.append(_bounded(low, high, gray.shape))
    for hint in hints[:_MAX_HINTS]:
        if not any(region.covers(hint) for region in regions):
            regions.append(hint)
    return regions


def _read_enhanced(gray: np.ndarray, region: _Region) -> tuple[list[DecodedCode], bool]:
    """Decode a region enlarged and sharpened in the ways that rescue blurred frames (defocus,
    shake) and noisy ones (smooth the grain first), stopping at the first that reads; and
    whether zxing located a symbol there at all."""
    crop = gray[region.y0 : region.y1, region.x0 : region.x1]
    scale = max(1.0, _CROP_SIDE / max(crop.shape))
    seen = False
    for smoothing, radius, amount in _RETRIES:
        # Blurring before enlarging gives nearly the same mask for a fraction of the time.
        source = cv2.GaussianBlur(crop, (0, 0), smoothing) if smoothing else crop
        blurred = cv2.GaussianBlur(source, (0, 0), max(_MIN_RADIUS / scale, radius))
        sharpened = cv2.addWeighted(
            _enlarged(source, scale), 1 + amount, _enlarged(blurred, scale), -amount, 0
        )
        codes = _read_crop(sharpened, region, scale)
        if codes:
            return codes, True
        seen = seen or codes is None
    return [], seen


def _read_denoised(gray: np.ndarray, region: _Region) -> list[DecodedCode]:
    """Decode a region after non-local means denoising: heavy sensor grain and JPEG blocks on
    a small code, which smoothing blurs together with its modules, averaged over similar
    patches instead."""
    crop = gray[region.y0 : region.y1, region.x0 : region.x1]
    scale = max(1.0, _CROP_SIDE / max(crop.shape))
    denoised = cv2.fastNlMeansDenoising(crop, None, _DENOISING, _DENOISING_PATCH, _DENOISING_AREA)
    return _read_crop(_enlarged(denoised, scale), region, scale) or []


def _read_deblurred(
    gray: np.ndarray, regions: list[_Region], defocused: list[_Region]
) -> list[DecodedCode]:
    """Decode the first of `regions` that reads once its blur (heavy shake, defocus) is
    estimated and undone, a few kernels per region so the cost stays bounded. Defocus is
    undone only in the `defocused` regions (on live frames, those where zxing located a
    symbol: an unread, evenly blurred region of a frame is mostly clutter). A kernel after
    which zxing locates a symbol it cannot read was nearly right: a finer grid around it is
    tried."""
    for region in regions:
        crop = gray[region.y0 : region.y1, region.x0 : region.x1]
        scale = max(1.0, _CROP_SIDE / max(crop.shape))
        near: deblur.Restoration | None = None
        for restoration in deblur.restorations(crop):
            if not restoration.is_shake and region not in defocused:
                break
            codes = _read_crop(deblur.restored(crop, restoration, scale), region, scale)
            if codes:
                return codes
            if codes is None and near is None:
                near = restoration
        for restoration in deblur.variants(near) if near is not None else ():
            codes = _read_crop(deblur.restored(crop, restoration, scale), region, scale)
            if codes:
                return codes
    return []


def _read_crop(image: np.ndarray, region: _Region, scale: float) -> list[DecodedCode] | None:
    """The codes read in an enlarged crop of `region`, or None if zxing located a symbol
    there but could not read it."""
    barcodes = _barcodes(image, _CROP, return_errors=True)
    found = [_decoded(b, (region.x0, region.y0), scale) for b in barcodes if b.valid]
    if not found and barcodes:
        return None
    return found


def _enlarged(image: np.ndarray, scale: float) -> np.ndarray:
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)

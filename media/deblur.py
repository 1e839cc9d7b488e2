"""Undoing heavy camera shake and defocus on a code's region, for the decoder's last retries.

The blur is estimated from the region itself. A code's edges run equally in every direction, so
gradient energy missing in one direction is shake along it (the structure tensor's weak axis);
the gradient along the shake anti-correlates with itself most at the shake's length (its two
ends). That first estimate leans towards the code's own axes: the region's cepstrum, whose
trough marks the zeros a straight shake puts in the spectrum, refines it. Without such a
direction the blur is defocus, scaled from the apparent module size (where the gradient
anti-correlates across the module's two edges). A few kernels around the measured blur are each
undone by Wiener deconvolution, smoothed or binarised against ringing; after one that let the
decoder locate a symbol it could not read, `variants` gives a finer grid around it.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

_MIN_ANISOTROPY = 0.3  # below: no direction stands out, so defocus rather than shake
# Restorations tried, likeliest first (chosen greedily on tuning frames): for a shake, whether
# it starts from the cepstrum's length and direction (else the structure tensor's and the
# gradient autocorrelation's); the kernel's size as a share of the measured length (shake) or
# apparent module (defocus, which inflates it), Wiener's noise-to-signal power ratio (higher
# damps more of the kernel's near-zero frequencies), a smoothing of the result against ringing
# as a share of the measured length, for a shake a turn off the measured direction in degrees,
# and whether to binarise the result locally.
_SHAKE_TRIES = (
    (True, 0.95, 0.003, 0.1, 2, False),
    (True, 1.0, 0.01, 0.1, 2, False),
    (True, 0.9, 0.01, 0.0, -2, False),
    (True, 1.0, 0.003, 0.1, 0, False),
    (True, 1.0, 0.01, 0.1, -2, True),
    (False, 1.0, 0.01, 0.1, -6, False),
    (True, 0.95, 0.01, 0.0, -2, False),
)
_DEFOCUS_TRIES = ((0.6, 0.01, 0.1, False), (0.4, 0.01, 0.0, False), (0.5, 0.003, 0.0, False))
# Around a restoration after which a symbol was located but not read: for a shake, the length
# as a share of its length, a turn in degrees, binarise.
_SHAKE_VARIANTS = (
    (1.0, 0, True),
    (0.9, 0, False),
    (1.1, 0, False),
    (1.0, 3, False),
    (1.0, -3, False),
    (0.85, 0, True),
    (1.15, 0, True),
    (1.0, 8, True),
    (1.0, -8, True),
)
# Around a defocus: the radius as a share of its radius, Wiener's noise ratio as a share of its
# ratio (less damping recovers more of a small code's modules), binarise.
_DEFOCUS_VARIANTS = (
    (1.0, 1.0, True),
    (0.85, 1.0, False),
    (1.15, 1.0, False),
    (0.7, 1.0, True),
    (0.75, 1.0, False),
    (0.85, 0.3, False),
)
_BINARY_BLOCK = 4  # pixels of the region that local binarisation compares each pixel with
# Pixels: a shorter shake, or a smaller apparent module, is left to sharpening.
_MIN_EDGE_WIDTH = 2.3  # steepest edge along the weakest gradients, in pixels per contrast
_MIN_SHAKE = 3.5
_MIN_MODULE = 2.5
_MAX_LAG = 48  # longest shake or module looked for, in pixels
_CEPSTRUM_SPAN = 15  # degrees either side of the structure tensor's direction


class Restoration(NamedTuple):
    """One guess at undoing a region's blur."""

    kernel: np.ndarray  # normalised, odd-sized
    noise: float  # Wiener's noise-to-signal power ratio
    smoothing: float  # sigma in pixels of a Gaussian applied after, against ringing
    binarise: bool  # threshold the result against its neighbourhood
    size: float  # the kernel's length (shake) or radius (defocus) in pixels
    angle: float | None  # the shake's direction in degrees; None for defocus

    @property
    def is_shake(self) -> bool:
        """A straight streak rather than a defocused disc."""
        return self.angle is not None


def restorations(crop: np.ndarray) -> list[Restoration]:
    """Guesses at undoing the blur of a grayscale region, likeliest first; none if the region
    does not look blurred enough for sharpening to have failed on it."""
    gray = crop.astype(np.float32)
    height, width = gray.shape
    if min(height, width) < 16:
        return []
    gx, gy = cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1)
    jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
    if jxx + jyy <= 0:
        return []
    anisotropy = np.hypot(jxx - jyy, 2 * jxy) / (jxx + jyy)
    weakest = np.rad2deg(0.5 * np.arctan2(2 * jxy, jxx - jyy)) + 90  # the weakest gradients'
    if _edge_width(gray, gx, gy, weakest) < _MIN_EDGE_WIDTH:
        return []  # sharp edges: clutter, or a code sharpening would have read
    window = np.outer(np.hanning(height), np.hanning(width)).astype(np.float32)
    correlations = _Correlations(gx * window, gy * window)
    if anisotropy < _MIN_ANISOTROPY:
        module = correlations.deepest(weakest + 90)[1]
        if module < _MIN_MODULE:
            return []
        return [
            _disc(module * share, noise, module * smoothing, binarise)
            for share, noise, smoothing, binarise in _DEFOCUS_TRIES
        ]
    # A shake's two ends make the gradient along it anti-correlate at the shake's length.
    length = correlations.deepest(weakest)[1]
    if length < _MIN_SHAKE:
        return []
    cepstral_length, cepstral_angle = _cepstral_shake(gray, window, length, weakest)
    tries = []
    for cepstral, share, noise, blur, turn, binarise in _SHAKE_TRIES:
        size, angle = (cepstral_length, cepstral_angle) if cepstral else (length, weakest)
        tries.append(_line(size * share, angle + turn, noise, size * blur, binarise))
    return tries


def variants(near: Restoration) -> list[Restoration]:
    """Restorations around one after which the decoder located a symbol but could not read
    it: the measured blur was close, so a finer grid of sizes (and turns, for a shake) around
    it, likeliest first, with and without local binarisation."""
    if near.angle is None:
        return [
            _disc(near.size * share, near.noise * damping, near.smoothing, binarise)
            for share, damping, binarise in _DEFOCUS_VARIANTS
        ]
    return [
        _line(near.size * share, near.angle + turn, near.noise, near.smoothing, binarise)
        for share, turn, binarise in _SHAKE_VARIANTS
    ]


def _line(
    length: float, angle: float, noise: float, smoothing: float, binarise: bool
) -> Restoration:
    return Restoration(line_kernel(length, angle), noise, smoothing, binarise, length, angle)


def _disc(radius: float, noise: float, smoothing: float, binarise: bool) -> Restoration:
    return Restoration(disc_kernel(radius), noise, smoothing, binarise, radius, None)


def restored(crop: np.ndarray, restoration: Restoration, scale: float = 1.0) -> np.ndarray:
    """The region with the blur undone by Wiener deconvolution, enlarged `scale` times, as
    8-bit gray (black and white if the restoration binarises)."""
    kernel = restoration.kernel
    pad = kernel.shape[0]
    # Mirrored borders keep the frame's edges from ringing across the whole region.
    image = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_REFLECT).astype(np.float32)
    padded = np.zeros(image.shape, np.float32)
    padded[: kernel.shape[0], : kernel.shape[1]] = kernel
    centre = kernel.shape[0] // 2
    transfer = np.fft.rfft2(np.roll(padded, (-centre, -centre), axis=(0, 1)))
    spectrum = np.fft.rfft2(image) * np.conj(transfer) / (np.abs(transfer) ** 2 + restoration.noise)
    sharp = np.fft.irfft2(spectrum, s=image.shape)[pad:-pad, pad:-pad].astype(np.float32)
    if restoration.smoothing > 0:
        sharp = cv2.GaussianBlur(sharp, (0, 0), restoration.smoothing)
    sharp = np.clip(sharp, 0, 255).astype(np.uint8)
    if scale > 1:
        sharp = cv2.resize(sharp, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    if not restoration.binarise:
        return sharp
    block = 2 * int(scale * _BINARY_BLOCK) + 1
    return cv2.adaptiveThreshold(
        sharp, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 0
    )


def line_kernel(length: float, angle: float) -> np.ndarray:
    """A straight shake of `length` pixels at `angle` degrees: a thin line traced at 8x and
    averaged into pixels, as a sensor integrates a continuous shake."""
    size = (int(np.ceil(length)) | 1) + 2
    fine = np.zeros((size * 8, size * 8), np.float32)
    centre = np.array([size * 4, size * 4]) - 0.5
    step = np.array([np.cos(np.deg2rad(angle)), np.sin(np.deg2rad(angle))]) * length * 4
    start, end = np.round((centre - step) * 16), np.round((centre + step) * 16)
    cv2.line(fine, tuple(int(v) for v in start), tuple(int(v) for v in end), 1.0, 1, shift=4)
    kernel = cv2.resize(fine, (size, size), interpolation=cv2.INTER_AREA)
    return kernel / kernel.sum()


def disc_kernel(radius: float) -> np.ndarray:
    """A defocused lens's disc of `radius` pixels, its rim antialiased."""
    half = int(np.ceil(radius))
    steps = (np.arange(4) + 0.5) / 4 - 0.5
    offsets = np.arange(-half, half + 1)[:, None] + steps[None, :]
    inside = offsets[:, None, :, None] ** 2 + offsets[None, :, None, :] ** 2 <= radius**2
    kernel = inside.mean(axis=(2, 3)).astype(np.float32)
    return kernel / kernel.sum()


def _cepstral_shake(
    gray: np.ndarray, window: np.ndarray, length: float, angle: float
) -> tuple[float, float]:
    """The shake's length and direction where the region's cepstrum is most negative near a
    first estimate. A straight shake's spectrum has zeros every 1/length along it, which the
    inverse transform of the log spectrum turns into a trough at the shake's length; the
    code's own module grid makes peaks there instead, so its axes do not pull the estimate."""
    spectrum = np.abs(np.fft.fft2((gray - gray.mean()) * window))
    cepstrum = np.fft.ifft2(np.log(spectrum + 1e-3 * spectrum.max())).real
    cepstrum = np.fft.fftshift(cepstrum).astype(np.float32)
    lengths = np.arange(0.75, 1.3, 0.025, dtype=np.float32)[:, None] * length
    angles = np.deg2rad(np.arange(-_CEPSTRUM_SPAN, _CEPSTRUM_SPAN + 0.1, 0.5) + angle)[None]
    height, width = gray.shape
    xs = (width // 2 + lengths * np.cos(angles)).astype(np.float32)
    ys = (height // 2 + lengths * np.sin(angles)).astype(np.float32)
    values = cv2.remap(cepstrum, xs, ys, cv2.INTER_LINEAR)
    row, column = np.unravel_index(int(np.argmin(values)), values.shape)
    return float(lengths[row, 0]), float(np.rad2deg(angles[0, column]))


def _edge_width(gray: np.ndarray, gx: np.ndarray, gy: np.ndarray, angle: float) -> float:
    """How many pixels the region's steepest edges along `angle` degrees take to cross its
    contrast: about one on a sharp image, the blur's extent on a blurred one."""
    radians = np.deg2rad(angle)
    slope = np.abs(gx * np.cos(radians) + gy * np.sin(radians)) / 8  # Sobel weighs 8 per step
    low, high = np.percentile(gray, (5, 95))
    return float((high - low) / max(float(np.percentile(slope, 99)), 1e-3))


class _Correlations:
    """Autocorrelations of a region's x and y gradients, to read the correlation of the
    gradient along any direction at any lag."""

    def __init__(self, gx: np.ndarray, gy: np.ndarray) -> None:
        fx, fy = np.fft.rfft2(gx), np.fft.rfft2(gy)
        self._shape = gx.shape
        self._xx = self._inverse(fx * np.conj(fx))
        self._yy = self._inverse(fy * np.conj(fy))
        self._xy = self._inverse((fx * np.conj(fy)).real)

    def _inverse(self, spectrum: np.ndarray) -> np.ndarray:
        return np.fft.fftshift(np.fft.irfft2(spectrum, s=self._shape)).astype(np.float32)

    def deepest(self, angle: float) -> tuple[float, float]:
        """The most negative normalised correlation of the gradient along `angle` degrees,
        and the lag in pixels where it is."""
        height, width = self._shape
        radians = np.deg2rad(angle)
        cos, sin = float(np.cos(radians)), float(np.sin(radians))
        lags = np.arange(0, min(_MAX_LAG, min(height, width) / 4), 0.25, dtype=np.float32)
        xs = (width // 2 + lags * cos)[None]
        ys = (height // 2 + lags * sin)[None]
        profile = sum(
            weight * cv2.remap(table, xs, ys, cv2.INTER_LINEAR)[0]
            for weight, table in (
                (cos * cos, self._xx),
                (sin * sin, self._yy),
                (2 * cos * sin, self._xy),
            )
        )
        start = int(1.5 / 0.25)
        index = start + int(np.argmin(profile[start:]))
        return float(profile[index] / profile[0]), float(lags[index])

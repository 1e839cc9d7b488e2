"""Undoing heavy camera shake and defocus on a code's region, for the decoder's last retries.

The blur is estimated from the region itself. A code's edges run equally in every direction, so
gradient energy missing in one direction is shake along it (the structure tensor's weak axis);
the code's module size shows as the lag where the gradient across that direction anti-correlates
with itself most (neighbouring edges of a module have opposite signs). The candidate kernels are
then a few lines of two to three modules along the shake, or, when the gradients are even in
every direction, a few discs up to a module; each is undone by Wiener deconvolution.
"""

from __future__ import annotations

import cv2
import numpy as np

_MIN_ANISOTROPY = 0.3  # below: no direction stands out, so defocus rather than shake
# Shake deconvolutions tried: length as a share of the measured one, Wiener's noise-to-signal
# power ratio (higher damps more of the kernel's near-zero frequencies, and sharpens less).
_SHAKE_TRIES = ((0.9, 0.03), (1.0, 0.08), (0.9, 0.08), (1.0, 0.01), (0.9, 0.01), (1.1, 0.03))
# Disc radii tried, as fractions of the apparent module size (which defocus inflates).
_DEFOCUS_SHARE = (0.55, 0.4, 0.7)
_NOISE = 0.02  # Wiener's noise-to-signal power ratio for defocus
_MAX_LAG = 48  # longest shake or module looked for, in pixels


def kernels(crop: np.ndarray) -> list[tuple[np.ndarray, float]]:
    """Candidate blur kernels (normalised, odd-sized) for a grayscale region, likeliest first,
    each with the noise level to deconvolve it with."""
    gray = crop.astype(np.float32)
    height, width = gray.shape
    if min(height, width) < 16:
        return []
    window = np.outer(np.hanning(height), np.hanning(width)).astype(np.float32)
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0) * window
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1) * window
    jxx, jyy, jxy = float((gx * gx).sum()), float((gy * gy).sum()), float((gx * gy).sum())
    if jxx + jyy <= 0:
        return []
    correlations = _Correlations(gx, gy)
    anisotropy = np.hypot(jxx - jyy, 2 * jxy) / (jxx + jyy)
    weakest = np.rad2deg(0.5 * np.arctan2(2 * jxy, jxx - jyy)) + 90  # the weakest gradients'
    if anisotropy < _MIN_ANISOTROPY:
        module = correlations.deepest(weakest + 90)[1]
        return [(disc_kernel(module * share), _NOISE) for share in _DEFOCUS_SHARE]
    # A shake's two ends make the gradient along it anti-correlate at the shake's length.
    length = correlations.deepest(weakest)[1]
    return [(line_kernel(length * share, weakest), noise) for share, noise in _SHAKE_TRIES]


def deconvolved(crop: np.ndarray, kernel: np.ndarray, noise: float) -> np.ndarray:
    """The region with the blur `kernel` undone by Wiener deconvolution, as 8-bit gray."""
    pad = kernel.shape[0]
    # Mirrored borders keep the frame's edges from ringing across the whole region.
    image = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_REFLECT).astype(np.float32)
    height, width = image.shape
    padded = np.zeros((height, width), np.float32)
    padded[: kernel.shape[0], : kernel.shape[1]] = kernel
    centre = kernel.shape[0] // 2
    padded = np.roll(padded, (-centre, -centre), axis=(0, 1))
    spectrum = np.fft.rfft2(image)
    transfer = np.fft.rfft2(padded)
    restored = np.fft.irfft2(
        spectrum * np.conj(transfer) / (np.abs(transfer) ** 2 + noise), s=image.shape
    )
    return np.clip(restored[pad:-pad, pad:-pad], 0, 255).astype(np.uint8)


def line_kernel(length: float, angle: float) -> np.ndarray:
    """A straight shake of `length` pixels at `angle` degrees, antialiased."""
    size = int(np.ceil(length)) | 1
    kernel = np.zeros((size * 4, size * 4), np.float32)
    half = (size * 4 - 1) / 2
    dx, dy = np.cos(np.deg2rad(angle)) * length * 2, np.sin(np.deg2rad(angle)) * length * 2
    cv2.line(
        kernel,
        (round((half - dx) * 16), round((half - dy) * 16)),
        (round((half + dx) * 16), round((half + dy) * 16)),
        1.0,
        2,
        cv2.LINE_AA,
        shift=4,
    )
    kernel = cv2.resize(kernel, (size, size), interpolation=cv2.INTER_AREA)
    return kernel / kernel.sum()


def disc_kernel(radius: float) -> np.ndarray:
    """A defocused lens's disc of `radius` pixels, its rim antialiased."""
    half = int(np.ceil(radius))
    steps = (np.arange(4) + 0.5) / 4 - 0.5
    offsets = np.arange(-half, half + 1)[:, None] + steps[None, :]
    inside = offsets[:, None, :, None] ** 2 + offsets[None, :, None, :] ** 2 <= radius**2
    kernel = inside.mean(axis=(2, 3)).astype(np.float32)
    return kernel / kernel.sum()


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

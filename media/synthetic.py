"""Synthetic camera frames of labels and codes, deterministic per seed, for tests and the bench.

A frame is a desk-like background with the label or code placed on it (rotation, perspective),
then what a camera adds: uneven lighting, blur, sensor noise and JPEG compression.
"""

from __future__ import annotations

import cv2
import numpy as np

from media.deblur import line_kernel
from media.exceptions import ImageUnreadable, MediaError
from media.symbols import raster

FRAME_SIZE = (1280, 720)
# clean; rotated (15-345 degrees); perspective (corners moved by up to 17 % of the code's size);
# gaussian_blur (sigma 0.35-0.55 module); motion_blur (0.9-1.5 modules); noisy (sigma 25 grey
# levels, JPEG 50); low_contrast (print 105 on 150); dark (exposure 12-18 %); cluttered (shapes
# and words around); heavy_motion_blur (a straight streak of 2-3 modules, any direction: a
# hand-held camera's shake);
# defocus (a disc of radius 0.6-1 module: the lens focused well off the label).
CONDITIONS = (
    "clean",
    "rotated",
    "perspective",
    "gaussian_blur",
    "motion_blur",
    "noisy",
    "low_contrast",
    "dark",
    "cluttered",
    "heavy_motion_blur",
    "defocus",
)
_WORDS = ("LOT", "EXP", "Batch 24-117", "QC released", "Net 12.5 kg", "Keep dry", "Room B2")


def photograph(
    label_png: bytes,
    *,
    seed: int = 0,
    blur: float = 1.5,
    tilt: float = 0.15,
    size: tuple[int, int] = FRAME_SIZE,
) -> bytes:
    """JPEG of the label lying on a cluttered desk, seen at an angle by a slightly blurred
    camera; the same for the same seed."""
    label = cv2.imdecode(np.frombuffer(label_png, np.uint8), cv2.IMREAD_COLOR)
    if label is None:
        raise ImageUnreadable("the label is not a decodable image")
    rng = np.random.default_rng(seed)
    frame = _background(rng, size, clutter=14)
    scale = size[0] * rng.uniform(0.5, 0.65) / label.shape[1]
    label = cv2.resize(label, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    frame = _place(frame, label.astype(np.float32), rng, angle=rng.uniform(-12, 12), tilt=tilt)
    frame = _light(frame, rng, gain=rng.uniform(0.75, 1.0), unevenness=0.25)
    frame = _gaussian_blur(frame, blur)
    frame = _noise(frame, rng, sigma=3.0)
    return _jpeg(frame, quality=85)


def scene(
    modules: np.ndarray,
    module_px: float,
    condition: str,
    *,
    seed: int,
    size: tuple[int, int] = FRAME_SIZE,
) -> np.ndarray:
    """BGR frame of a code (a module matrix, see `media.symbols`) printed at `module_px` pixels
    per module, under one of `CONDITIONS`; blur severities scale with the module size."""
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r}")
    rng = np.random.default_rng(seed)
    code = _printed(modules, module_px, rng, low_contrast=condition == "low_contrast")
    frame = _background(rng, size, clutter=40 if condition == "cluttered" else 0)
    if condition == "rotated":
        angle = rng.uniform(15, 345)
    elif condition == "cluttered":
        angle = rng.uniform(-30, 30)
    else:
        angle = rng.uniform(-4, 4)
    frame = _place(frame, code, rng, angle=angle, tilt=0.35 if condition == "perspective" else 0.05)
    gain = rng.uniform(0.12, 0.18) if condition == "dark" else rng.uniform(0.85, 1.0)
    frame = _light(frame, rng, gain=gain, unevenness=0.2)
    if condition == "gaussian_blur":
        frame = _gaussian_blur(frame, module_px * rng.uniform(0.35, 0.55))
    elif condition == "motion_blur":
        frame = _motion_blur(frame, module_px * rng.uniform(0.9, 1.5), rng.uniform(0, 180))
    elif condition == "heavy_motion_blur":
        frame = _streak(frame, module_px * rng.uniform(2.0, 3.0), rng.uniform(0, 180))
    elif condition == "defocus":
        frame = _defocus(frame, module_px * rng.uniform(0.6, 1.0))
    else:
        frame = _gaussian_blur(frame, 0.6)
    noisy = condition == "noisy"
    frame = _noise(frame, rng, sigma=25.0 if noisy else 2.5)
    return _through_jpeg(frame, quality=50 if noisy else 85)


def empty_scene(*, seed: int, size: tuple[int, int] = FRAME_SIZE) -> np.ndarray:
    """BGR frame of a cluttered desk without any code: what a live stream mostly shows."""
    rng = np.random.default_rng(seed)
    frame = _background(rng, size, clutter=40)
    frame = _light(frame, rng, gain=rng.uniform(0.85, 1.0), unevenness=0.2)
    frame = _noise(_gaussian_blur(frame, 0.6), rng, sigma=2.5)
    return _through_jpeg(frame, quality=85)


def _printed(
    modules: np.ndarray, module_px: float, rng: np.random.Generator, *, low_contrast: bool
) -> np.ndarray:
    """The code on a paper patch a few modules wider than its quiet zone, as float BGR."""
    margin = int(rng.integers(2, 6))
    image = raster(np.pad(modules, margin), 8) / 255.0
    scale = module_px / 8
    image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    dark, light = (105.0, 150.0) if low_contrast else (25.0, 235.0)
    return cv2.cvtColor((dark + (light - dark) * image).astype(np.float32), cv2.COLOR_GRAY2BGR)


def _background(rng: np.random.Generator, size: tuple[int, int], clutter: int) -> np.ndarray:
    """A smooth desk colour gradient with `clutter` random shapes and words on it."""
    corners = rng.uniform(60, 200, (2, 2, 3)).astype(np.uint8)
    frame = cv2.resize(corners, size, interpolation=cv2.INTER_LINEAR)
    width, height = size
    for _ in range(clutter):
        colour = tuple(float(c) for c in rng.uniform(0, 255, 3))
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        x2, y2 = int(rng.integers(0, width)), int(rng.integers(0, height))
        match int(rng.integers(0, 4)):
            case 0:
                cv2.rectangle(frame, (x, y), (x + (x2 - x) // 3, y + (y2 - y) // 3), colour, -1)
            case 1:
                cv2.line(frame, (x, y), (x2, y2), colour, int(rng.integers(1, 6)))
            case 2:
                radius, thickness = int(rng.integers(5, 80)), int(rng.integers(-1, 5))
                cv2.circle(frame, (x, y), radius, colour, thickness)
            case _:
                word = _WORDS[int(rng.integers(0, len(_WORDS)))]
                scale = float(rng.uniform(0.6, 2.0))
                cv2.putText(frame, word, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 2)
    return frame.astype(np.float32)


def _place(
    frame: np.ndarray, image: np.ndarray, rng: np.random.Generator, *, angle: float, tilt: float
) -> np.ndarray:
    """`image` warped onto `frame` at a random spot: rotated by `angle` degrees, its corners
    moved by up to `tilt` of its size to fake a perspective view."""
    height, width = image.shape[:2]
    source = np.float32([[0, 0], [width, 0], [width, height], [0, height]])
    theta = np.deg2rad(angle)
    rotation = np.float32([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    centred = source - (width / 2, height / 2)
    jitter = rng.uniform(-tilt, tilt, (4, 2)) * (width, height) / 2
    target = (centred + jitter) @ rotation.T
    frame_w, frame_h = frame.shape[1], frame.shape[0]
    span = target.max(axis=0) - target.min(axis=0)
    shrink = min(1.0, 0.95 * frame_w / span[0], 0.95 * frame_h / span[1])
    target *= shrink
    low, high = -target.min(axis=0), (frame_w, frame_h) - target.max(axis=0)
    target += rng.uniform(low, np.maximum(low, high))

    matrix = cv2.getPerspectiveTransform(source, target.astype(np.float32))
    warped = cv2.warpPerspective(image, matrix, (frame_w, frame_h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(
        np.ones((height, width), np.float32), matrix, (frame_w, frame_h), flags=cv2.INTER_LINEAR
    )[..., None]
    return frame * (1 - mask) + warped * mask


def _light(
    frame: np.ndarray, rng: np.random.Generator, *, gain: float, unevenness: float
) -> np.ndarray:
    """Exposure `gain` times a smooth illumination field dimming parts by up to `unevenness`."""
    field = rng.uniform(1 - unevenness, 1.0, (3, 3)).astype(np.float32)
    field = cv2.resize(field, (frame.shape[1], frame.shape[0]), interpolation=cv2.INTER_CUBIC)
    return frame * (gain * field)[..., None]


def _gaussian_blur(frame: np.ndarray, sigma: float) -> np.ndarray:
    return cv2.GaussianBlur(frame, (0, 0), sigma) if sigma > 0 else frame


def _motion_blur(frame: np.ndarray, length: float, angle: float) -> np.ndarray:
    """Blur along a line of `length` pixels at `angle` degrees (camera shake)."""
    size = int(np.ceil(length)) | 1
    kernel = np.zeros((size, size), np.float32)
    half = (size - 1) / 2
    dx, dy = np.cos(np.deg2rad(angle)) * length / 2, np.sin(np.deg2rad(angle)) * length / 2
    start = (round(half - dx), round(half - dy))
    end = (round(half + dx), round(half + dy))
    cv2.line(kernel, start, end, 1.0, 1)
    return cv2.filter2D(frame, -1, kernel / kernel.sum())


def _streak(frame: np.ndarray, length: float, angle: float) -> np.ndarray:
    """Blur along a straight path of `length` pixels at `angle` degrees, integrated into
    pixels as a sensor records a continuous shake (not snapped to the grid): the same model
    of a shake the decoder deconvolves with, which still has to find length and angle."""
    return cv2.filter2D(frame, -1, line_kernel(length, angle))


def _defocus(frame: np.ndarray, radius: float) -> np.ndarray:
    """Blur by a disc of `radius` pixels, its rim antialiased (an out-of-focus lens)."""
    half = int(np.ceil(radius))
    # Each kernel pixel weighs the share of its 8x8 subpixels inside the disc.
    steps = (np.arange(8) + 0.5) / 8 - 0.5
    offsets = np.arange(-half, half + 1)[:, None] + steps[None, :]
    inside = (offsets[:, None, :, None] ** 2 + offsets[None, :, None, :] ** 2) <= radius**2
    kernel = inside.mean(axis=(2, 3)).astype(np.float32)
    return cv2.filter2D(frame, -1, kernel / kernel.sum())


def _noise(frame: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    return frame + rng.standard_normal(frame.shape, dtype=np.float32) * sigma


def _through_jpeg(frame: np.ndarray, quality: int) -> np.ndarray:
    """The frame as a camera delivers it: compressed, then decoded again."""
    return cv2.imdecode(np.frombuffer(_jpeg(frame, quality), np.uint8), cv2.IMREAD_COLOR)


def _jpeg(frame: np.ndarray, quality: int) -> bytes:
    pixels = np.clip(frame, 0, 255).astype(np.uint8)
    ok, encoded = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise MediaError("JPEG encoding failed")
    return encoded.tobytes()

"""Drawing annotations over a camera frame. Pure: a frame and annotations in, a new frame out.

Points are normalised (0..1) frame coordinates. An arrow points from its first point to its
last; a circle is its centre and a point on it; a rectangle two opposite corners; freehand a
polyline; text is written at its first point. Acknowledged annotations are drawn thinner.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import cv2
import numpy as np

from headset_client.annotations import Annotation

_NAMED = {
    "red": (48, 59, 255),
    "green": (89, 199, 52),
    "blue": (255, 122, 0),
    "yellow": (0, 204, 255),
    "orange": (0, 149, 255),
    "white": (255, 255, 255),
    "black": (0, 0, 0),
}
_DEFAULT = _NAMED["red"]


def draw_annotations(frame: np.ndarray, annotations: Iterable[Annotation]) -> np.ndarray:
    """A copy of the BGR `frame` with every annotation drawn on it."""
    canvas = frame.copy()
    height, width = canvas.shape[:2]
    base = max(2, round(min(width, height) / 160))
    for annotation in annotations:
        points = [_pixel(point, width, height) for point in annotation.points]
        if not points:
            continue
        colour = bgr(annotation.color)
        thickness = max(1, base // 2) if annotation.acknowledged else base
        _draw_shape(canvas, annotation.shape, points, colour, thickness)
        if annotation.text:
            _label(canvas, annotation.text, points[0], colour, base)
    return canvas


def bgr(color: str) -> tuple[int, int, int]:
    """`#rrggbb`, `#rgb` or a colour name as an OpenCV BGR triple (red if unknown)."""
    text = color.strip().lower()
    if text in _NAMED:
        return _NAMED[text]
    digits = text.removeprefix("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    try:
        red, green, blue = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return _DEFAULT
    return (blue, green, red) if len(digits) == 6 else _DEFAULT


def _pixel(point: tuple[float, float], width: int, height: int) -> tuple[int, int]:
    x, y = (min(1.0, max(0.0, value)) for value in point)
    return round(x * (width - 1)), round(y * (height - 1))


def _draw_shape(
    canvas: np.ndarray,
    shape: str,
    points: list[tuple[int, int]],
    colour: tuple[int, int, int],
    thickness: int,
) -> None:
    first, last = points[0], points[-1]
    if shape == "arrow" and len(points) > 1:
        cv2.arrowedLine(canvas, first, last, colour, thickness, cv2.LINE_AA, tipLength=0.2)
    elif shape == "circle":
        radius = round(math.dist(first, last)) if len(points) > 1 else 12 * thickness
        cv2.circle(canvas, first, max(radius, thickness), colour, thickness, cv2.LINE_AA)
    elif shape == "rectangle" and len(points) > 1:
        cv2.rectangle(canvas, first, last, colour, thickness, cv2.LINE_AA)
    elif shape == "freehand" and len(points) > 1:
        polyline = np.array(points, dtype=np.int32).reshape(-1, 1, 2)
        cv2.polylines(canvas, [polyline], False, colour, thickness, cv2.LINE_AA)
    elif shape != "text":
        cv2.circle(canvas, first, 3 * thickness, colour, -1, cv2.LINE_AA)


def _label(
    canvas: np.ndarray, text: str, at: tuple[int, int], colour: tuple[int, int, int], base: int
) -> None:
    """Text on a dark box, kept inside the frame."""
    scale = base / 3
    thickness = max(1, base // 2)
    (width, height), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    x = min(max(0, at[0]), max(0, canvas.shape[1] - width - 4))
    y = min(max(height + 4, at[1] - 6), canvas.shape[0] - baseline - 2)
    cv2.rectangle(canvas, (x, y - height - 4), (x + width + 4, y + baseline), (0, 0, 0), -1)
    cv2.putText(
        canvas, text, (x + 2, y), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, thickness, cv2.LINE_AA
    )

"""Annotations anchored to a code in a live stream: they follow the label as the camera moves.

Pure geometry over analysed frames. An annotation drawn on or next to a code seen in an
analysed frame is kept in that code's plane (see `media.streams.plane`); each later frame
that shows the code puts it back where it belongs on the label. Labels are flat, so four
corners are enough.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from media.codes import DecodedCode
from media.streams.plane import distance_to_code, from_code_plane, to_code_plane

# An annotation anchors to a code when one of its points lies within this many code sides
# of it: an arrow's head on or just beside the label, a circle's centre on it.
MARGIN = 0.5
# Moves smaller than this (in frame widths/heights) are detection jitter, not the camera.
MIN_MOVE = 0.002


@dataclass(frozen=True, eq=False)
class AnalysedFrame:
    """The codes found in one sampled frame; `at` is when (monotonic seconds)."""

    codes: list[DecodedCode]
    timestamp: int
    size: tuple[int, int]
    at: float


@dataclass(frozen=True, eq=False)
class Anchor:
    """An annotation following a code: its points in the code's plane, and where they were
    last announced (normalised frame coordinates)."""

    annotation_id: str
    code: str
    plane: np.ndarray
    points: list[list[float]]


def anchor_in(frame: AnalysedFrame, annotation_id: str, points: list[list[float]]) -> Anchor | None:
    """The anchor of an annotation drawn on or next to a code of `frame`; None (it stays
    frame-anchored) when no code is close."""
    if not points:
        return None
    pixels = _pixels(frame, points)
    distances = [
        (min(distance_to_code(code.corners, point) for point in pixels), index)
        for index, code in enumerate(frame.codes)
    ]
    if not distances or min(distances)[0] > MARGIN:
        return None
    code = frame.codes[min(distances)[1]]
    return Anchor(annotation_id, code.text, to_code_plane(code.corners, pixels), _rounded(points))


def follow(anchors: Iterable[Anchor], frame: AnalysedFrame) -> list[Anchor]:
    """The anchors whose code is in `frame` and that moved, with their `points` where the
    code now puts them."""
    codes: dict[str, DecodedCode] = {}
    for code in frame.codes:
        codes.setdefault(code.text, code)
    moved, size = [], np.array(frame.size, dtype=np.float64)
    for anchored in anchors:
        code = codes.get(anchored.code)
        if code is None:
            continue
        # Kept in the frame: a part of the drawing beyond its edge is shown at the edge.
        points = _rounded(np.clip(from_code_plane(code.corners, anchored.plane) / size, 0, 1))
        shift = np.abs(np.subtract(points, anchored.points)).max()
        if shift >= MIN_MOVE:
            moved.append(replace(anchored, points=points))
    return moved


def _pixels(frame: AnalysedFrame, points: Sequence[Sequence[float]]) -> np.ndarray:
    return np.asarray(points, dtype=np.float64).reshape(-1, 2) * frame.size


def _rounded(points: Sequence[Sequence[float]] | np.ndarray) -> list[list[float]]:
    return [[round(float(x), 4), round(float(y), 4)] for x, y in np.asarray(points).reshape(-1, 2)]

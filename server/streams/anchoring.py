"""Annotations anchored to a code in a live stream: they follow the label as the camera moves.

An annotation drawn on or next to a code seen in the latest analysed frame is stored in that
code's plane (see `media.streams.plane`); each later analysed frame that shows the code puts
it back where it belongs on the label. Labels are flat, so four corners are enough.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from media.codes import DecodedCode
from media.streams.plane import distance_to_code, from_code_plane, to_code_plane

if TYPE_CHECKING:
    from server.streams.analysis import AnalysedFrame
    from server.streams.live import LiveStream

# An annotation anchors to a code when one of its points lies within this many code sides
# of it: an arrow's head on or just beside the label, a circle's centre on it.
MARGIN = 0.5
# Moves smaller than this (in frame widths/heights) are detection jitter, not the camera.
MIN_MOVE = 0.002


@dataclass
class Anchor:
    """An annotation following a code: its points in the code's plane, and where they were
    last announced (normalised frame coordinates)."""

    annotation_id: str
    code: str
    plane: np.ndarray
    points: list[list[float]]


def anchor(live_stream: LiveStream, annotation_id: str, points: list[list[float]]) -> bool:
    """Anchor an annotation to the code it is drawn on or next to, in the latest analysed
    frame; False (it stays frame-anchored) when no code is close or nothing is analysed now.

    Analysis runs while a scan step is active or annotations are anchored; otherwise call
    `look` first to analyse the current frame.
    """
    analysis = live_stream.analysis
    frame = analysis.current() if analysis is not None else None
    if analysis is None or frame is None or not points:
        return False
    pixels = _pixels(frame, points)
    distances = [
        (min(distance_to_code(code.corners, point) for point in pixels), index)
        for index, code in enumerate(frame.codes)
    ]
    if not distances or min(distances)[0] > MARGIN:
        return False
    code = frame.codes[min(distances)[1]]
    plane = to_code_plane(code.corners, pixels)
    analysis.anchors[annotation_id] = Anchor(annotation_id, code.text, plane, _rounded(points))
    analysis.update()
    return True


def release(live_stream: LiveStream, annotation_id: str) -> None:
    """Stop following an annotation (it was cleared). Safe to call twice."""
    analysis = live_stream.analysis
    if analysis is not None and analysis.anchors.pop(annotation_id, None) is not None:
        analysis.update()


async def look(live_stream: LiveStream) -> None:
    """Make the latest analysed frame current, decoding and analysing the next frame if the
    analyser is idle, so that `anchor` can find the codes in view. Wrap it in
    `asyncio.timeout` (a stream may stall); StreamEnded when the publisher has left."""
    if live_stream.analysis is not None:
        await live_stream.analysis.look()


def follow(anchors: dict[str, Anchor], frame: AnalysedFrame) -> list[Anchor]:
    """The anchored annotations whose code is in `frame` and that moved; their `points` are
    updated to where the code now puts them."""
    codes: dict[str, DecodedCode] = {}
    for code in frame.codes:
        codes.setdefault(code.text, code)
    moved, size = [], np.array(frame.size, dtype=np.float64)
    for anchored in anchors.values():
        code = codes.get(anchored.code)
        if code is None:
            continue
        # Kept in the frame: a part of the drawing beyond its edge is shown at the edge.
        points = _rounded(np.clip(from_code_plane(code.corners, anchored.plane) / size, 0, 1))
        shift = np.abs(np.subtract(points, anchored.points)).max()
        if shift >= MIN_MOVE:
            anchored.points = points
            moved.append(anchored)
    return moved


def _pixels(frame: AnalysedFrame, points: Sequence[Sequence[float]]) -> np.ndarray:
    return np.asarray(points, dtype=np.float64).reshape(-1, 2) * frame.size


def _rounded(points: Sequence[Sequence[float]] | np.ndarray) -> list[list[float]]:
    return [[round(float(x), 4), round(float(y), 4)] for x, y in np.asarray(points).reshape(-1, 2)]

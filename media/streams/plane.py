"""The plane of a flat code seen in a frame: points stored in it follow the code as the camera
moves.

A code's four corners (clockwise from its top left, as `media.codes` reports them) define a
homography from the frame to the code's unit square; points mapped into that square and back
through the code's corners in a later frame land where they were on the label.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

Points = Sequence[Sequence[float]]
_UNIT_SQUARE = np.float32([[0, 0], [1, 0], [1, 1], [0, 1]])


def _quad(corners: Points) -> np.ndarray:
    quad = np.asarray(corners, dtype=np.float32)
    if quad.shape != (4, 2):
        raise ValueError(f"a code has 4 corners of 2 coordinates, got shape {quad.shape}")
    return quad


def _transformed(points: Points, matrix: np.ndarray) -> np.ndarray:
    array = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
    return cv2.perspectiveTransform(array, matrix).reshape(-1, 2)


def to_code_plane(corners: Points, points: Points) -> np.ndarray:
    """Frame points (pixels) as points of the code's unit square (0..1 inside the code)."""
    return _transformed(points, cv2.getPerspectiveTransform(_quad(corners), _UNIT_SQUARE))


def from_code_plane(corners: Points, plane_points: Points) -> np.ndarray:
    """Points of a code's unit square as frame points (pixels), for the code at `corners`."""
    return _transformed(plane_points, cv2.getPerspectiveTransform(_UNIT_SQUARE, _quad(corners)))


def distance_to_code(corners: Points, point: Sequence[float]) -> float:
    """How far a frame point lies from the code, in code sides: 0 on or inside the code."""
    quad = _quad(corners)
    outside = -cv2.pointPolygonTest(
        quad.reshape(-1, 1, 2), (float(point[0]), float(point[1])), True
    )
    side = float(np.sqrt(abs(cv2.contourArea(quad))))
    return max(0.0, outside) / side if side > 0 else float("inf")

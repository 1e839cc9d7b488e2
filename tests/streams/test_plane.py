"""The plane of a code: points stored in it come back where they were on the label."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from media.streams.plane import distance_to_code, from_code_plane, to_code_plane

# A code seen at an angle: its corners clockwise from its top left, in pixels.
CORNERS = [[200.0, 120.0], [330.0, 135.0], [320.0, 270.0], [190.0, 250.0]]


def test_the_corners_map_to_the_unit_square_and_back() -> None:
    plane = to_code_plane(CORNERS, CORNERS)
    assert np.allclose(plane, [[0, 0], [1, 0], [1, 1], [0, 1]], atol=1e-6)
    assert np.allclose(from_code_plane(CORNERS, plane), CORNERS, atol=1e-6)


def test_points_follow_a_known_homography() -> None:
    # The camera moves: a known homography takes the code (and everything on its plane).
    camera = np.array([[0.9, 0.1, 40.0], [-0.05, 1.1, -25.0], [0.0004, 0.0002, 1.0]])
    points = np.array([[260.0, 190.0], [150.0, 100.0], [400.0, 300.0]])  # on, beside, further
    plane = to_code_plane(CORNERS, points)
    moved_corners = cv2.perspectiveTransform(np.array([CORNERS]), camera)[0]
    expected = cv2.perspectiveTransform(np.array([points]), camera)[0]
    assert np.allclose(from_code_plane(moved_corners, plane), expected, atol=1e-6)


def test_distance_is_zero_on_the_code_and_in_code_sides_outside() -> None:
    assert distance_to_code(CORNERS, (260, 190)) == 0
    side = np.sqrt(cv2.contourArea(np.float32(CORNERS)))
    assert distance_to_code(CORNERS, (330 + side, 135)) == pytest.approx(1.0, abs=0.1)
    assert distance_to_code(CORNERS, (600, 400)) > 2


def test_a_code_needs_four_corners() -> None:
    with pytest.raises(ValueError, match="4 corners"):
        to_code_plane(CORNERS[:3], [[0, 0]])

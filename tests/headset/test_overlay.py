"""Annotations from the expert, as events, drawn over the operator's picture."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from headset_client.annotations import AnnotationBoard
from headset_client.display import OverlayDisplay
from headset_client.overlay import bgr, draw_annotations

WIDTH, HEIGHT = 400, 300
GREEN = (0, 255, 0)  # BGR of #00ff00


def _event(action: str, annotation_id: str = "a-1", **fields: Any) -> dict[str, Any]:
    annotation = {
        "id": annotation_id,
        "stream_id": "b-1",
        "step_id": "weigh",
        "shape": "arrow",
        "points": [[0.1, 0.5], [0.9, 0.5]],
        "text": None,
        "color": "#00ff00",
        "frame_timestamp": 12.5,
        "anchor": "frame",
        "created_by": {"username": "quinn", "full_name": "Quinn QA"},
        **fields,
    }
    return {
        "type": "annotation",
        "batch_id": "b-1",
        "at": "2026-11-25T06:30:00.000000Z",
        "action": action,
        "annotation": annotation,
    }


def _frame() -> np.ndarray:
    return np.full((HEIGHT, WIDTH, 3), 40, dtype=np.uint8)


def _is(pixel: np.ndarray, colour: tuple[int, int, int]) -> bool:
    return bool(np.abs(pixel.astype(int) - colour).max() < 60)


def test_the_board_follows_created_moved_acknowledged_and_cleared() -> None:
    board = AnnotationBoard()
    board.apply(_event("created"))
    board.apply(_event("created", "a-2", shape="circle", points=[[0.5, 0.5], [0.6, 0.5]]))
    board.apply(_event("moved", points=[[0.2, 0.2], [0.8, 0.8]]))
    assert [a.id for a in board.shown()] == ["a-1", "a-2"]
    assert board.shown()[0].points == ((0.2, 0.2), (0.8, 0.8))
    assert board.shown()[0].author == "Quinn QA"
    assert board.newest_unacknowledged().id == "a-2"  # type: ignore[union-attr]
    board.apply(_event("acknowledged", "a-2"))
    assert board.newest_unacknowledged().id == "a-1"  # type: ignore[union-attr]
    board.apply(_event("moved", "a-2", points=[[0.4, 0.4], [0.5, 0.4]]))
    assert board.shown()[1].acknowledged
    board.apply(_event("cleared"))
    assert [a.id for a in board.shown()] == ["a-2"]
    assert board.apply({"type": "annotation", "action": "created"}) is None


@pytest.mark.parametrize(
    ("shape", "points", "on", "off"),
    [
        ("arrow", [[0.1, 0.5], [0.9, 0.5]], [(200, 150), (355, 150)], [(200, 100)]),
        ("circle", [[0.5, 0.5], [0.6, 0.5]], [(239, 150), (161, 150), (200, 111)], [(200, 150)]),
        (
            "rectangle",
            [[0.25, 0.25], [0.75, 0.75]],
            [(100, 150), (300, 150), (200, 75)],
            [(200, 150)],
        ),
        ("freehand", [[0.1, 0.1], [0.5, 0.5], [0.9, 0.1]], [(200, 150), (120, 90)], [(200, 40)]),
    ],
)
def test_each_shape_is_drawn_where_its_normalised_points_fall(
    shape: str, points: list[list[float]], on: list[tuple[int, int]], off: list[tuple[int, int]]
) -> None:
    board = AnnotationBoard()
    board.apply(_event("created", shape=shape, points=points))
    frame = _frame()
    drawn = draw_annotations(frame, board.shown())
    for x, y in on:
        assert _is(drawn[y, x], GREEN), (shape, x, y)
    for x, y in off:
        assert _is(drawn[y, x], (40, 40, 40)), (shape, x, y)
    assert _is(frame[150, 200], (40, 40, 40)), "the camera frame itself is not drawn on"


def test_text_is_written_on_a_dark_box_and_acknowledged_lines_are_thinner() -> None:
    board = AnnotationBoard()
    board.apply(_event("created", "t", shape="text", points=[[0.3, 0.5]], text="Check valve V3"))
    text = draw_annotations(_frame(), board.shown())
    box = text[130:152, 120:300]
    assert (box < 10).all(axis=2).any(), "a black box behind the text"
    assert (np.abs(box.astype(int) - GREEN).max(axis=2) < 60).sum() > 50, "green letters"

    thick = AnnotationBoard()
    thick.apply(_event("created"))
    thin = AnnotationBoard()
    thin.apply(_event("created"))
    thin.apply(_event("acknowledged"))
    coloured = [
        int(
            (
                np.abs(draw_annotations(_frame(), b.shown()).astype(int) - GREEN).max(axis=2) < 60
            ).sum()
        )
        for b in (thick, thin)
    ]
    assert coloured[0] > coloured[1] > 0


@pytest.mark.parametrize(
    ("color", "expected"),
    [
        ("#ff0000", (0, 0, 255)),
        ("#0f0", (0, 255, 0)),
        ("blue", (255, 122, 0)),
        ("#zzzzzz", (48, 59, 255)),
    ],
)
def test_colours_are_read_as_css_hex_or_names(color: str, expected: tuple[int, int, int]) -> None:
    assert bgr(color) == expected


def test_without_a_display_the_overlay_is_written_to_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    board = AnnotationBoard()
    board.apply(_event("created", shape="circle", points=[[0.5, 0.5], [0.6, 0.5]]))
    display = OverlayDisplay(tmp_path / "overlay")
    written = display.show(_frame(), board.shown())
    display.close()
    assert written == tmp_path / "overlay" / "overlay.png"
    image = cv2.imread(str(written))
    assert image.shape == (HEIGHT, WIDTH, 3)
    assert _is(image[150, 240], GREEN)

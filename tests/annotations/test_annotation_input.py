"""Bad annotations are refused with a problem naming the field, and nothing is stored."""

from __future__ import annotations

from typing import Any

from tests.annotations.support import arrow
from tests.client import ApiClient

FREEHAND_LIMIT = [[0.5, 0.5]] * 501
# (what is wrong, changes to a good arrow, the field the problem names)
REFUSED: list[tuple[str, dict[str, Any], str]] = [
    ("unknown shape", {"shape": "star"}, "shape"),
    ("x beyond the frame", {"points": [[0.2, 0.3], [1.2, 0.5]]}, "points.1.0"),
    ("negative y", {"points": [[0.2, -0.1], [0.5, 0.5]]}, "points.0.1"),
    ("a point of three numbers", {"points": [[0.2, 0.3, 0.1], [0.5, 0.5]]}, "points.0"),
    ("a coordinate as text", {"points": [["0.2", 0.3], [0.5, 0.5]]}, "points.0.0"),
    ("an arrow of three points", {"points": [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]]}, "points"),
    ("a circle of one point", {"shape": "circle", "points": [[0.5, 0.5]]}, "points"),
    ("a rectangle of one point", {"shape": "rectangle", "points": [[0.5, 0.5]]}, "points"),
    ("a freehand line of one point", {"shape": "freehand", "points": [[0.5, 0.5]]}, "points"),
    ("a freehand line of 501 points", {"shape": "freehand", "points": FREEHAND_LIMIT}, "points"),
    (
        "a text of two points",
        {"shape": "text", "text": "Here", "points": [[0.1, 0.1]] * 2},
        "points",
    ),
    ("a text without text", {"shape": "text", "points": [[0.5, 0.5]]}, "text"),
    ("a text of blanks", {"shape": "text", "text": "   ", "points": [[0.5, 0.5]]}, "text"),
    ("a text too long", {"shape": "text", "text": "x" * 201, "points": [[0.5, 0.5]]}, "text"),
    ("text on an arrow", {"text": "look"}, "text"),
    ("a colour name", {"color": "red"}, "color"),
    ("a short colour", {"color": "#f00"}, "color"),
    ("a negative frame time", {"frame_timestamp": -1}, "frame_timestamp"),
    ("a frame time as text", {"frame_timestamp": "12.5"}, "frame_timestamp"),
    ("an unknown field", {"opacity": 0.5}, "opacity"),
    ("no stream", {"stream_id": None}, "stream_id"),
    ("a stream id that is no stream id", {"stream_id": "not a stream!"}, "stream_id"),
    ("another batch's stream", {"stream_id": "another-batch"}, "stream_id"),
    ("a step the batch does not have", {"step_id": "no_such_step"}, "step_id"),
]
ACCEPTED: list[dict[str, Any]] = [
    {"shape": "circle", "points": [[0.5, 0.5], [0.6, 0.5]]},
    {"shape": "rectangle", "points": [[0.0, 0.0], [1, 1]]},
    {"shape": "freehand", "points": [[0.1, 0.1], [0.2, 0.25]]},
    {"shape": "freehand", "points": [[0.5, 0.5]] * 500},
    {"shape": "text", "points": [[0.4, 0.6]], "text": "x" * 200},
]


async def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    path = f"/batches/{batch['id']}/annotations"
    for what, changes, field in REFUSED:
        body = {k: v for k, v in arrow(batch["id"], **changes).items() if v is not None}
        refused = await api.post(path, "quinn", body)
        assert refused.status == 422, (what, refused.body)
        assert refused.headers["Content-Type"].startswith("application/problem+json")
        assert field in [error["field"] for error in refused.body["errors"]], (what, refused.body)
    assert (await api.get(path, "quinn")).body == []
    trail = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    assert not [entry for entry in trail if entry["entity_type"] == "annotation"]


async def test_each_shape_at_its_limits_is_accepted(api: ApiClient, batch: dict[str, Any]) -> None:
    for changes in ACCEPTED:
        body = arrow(batch["id"], **changes)
        drawn = await api.post(f"/batches/{batch['id']}/annotations", "quinn", body)
        assert drawn.status == 201, (changes["shape"], drawn.body)
        assert drawn.body["points"] == changes["points"]


async def test_a_body_that_is_not_json_is_a_400(api: ApiClient, batch: dict[str, Any]) -> None:
    refused = await api.call(
        "POST",
        f"/batches/{batch['id']}/annotations",
        "quinn",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert refused.status == 400
    assert (await api.get(f"/batches/{batch['id']}/annotations", "quinn")).body == []

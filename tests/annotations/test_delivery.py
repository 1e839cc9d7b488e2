"""The headset, subscribed to its batch, receives the expert's annotation as drawn."""

from __future__ import annotations

from typing import Any

from tests.annotations.support import arrow
from tests.client import ApiClient
from tests.events import next_event, subscribed


async def test_the_headset_receives_the_annotation_the_expert_posts(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    async with subscribed(api, batch["id"], "olivia") as headset:
        drawn = await api.post(
            f"/batches/{batch['id']}/annotations",
            "quinn",
            arrow(batch["id"], shape="text", points=[[0.25, 0.75]], text="Open this valve"),
        )
        assert drawn.status == 201, drawn.body
        event = await next_event(headset, "annotation")
    assert (event["batch_id"], event["action"]) == (batch["id"], "created")
    assert event["at"].endswith("Z")
    annotation = event["annotation"]
    assert annotation == drawn.body
    expected = {
        "id": drawn.body["id"],
        "stream_id": batch["id"],
        "step_id": "clearance",
        "shape": "text",
        "points": [[0.25, 0.75]],
        "text": "Open this valve",
        "color": "#ff3b30",
        "frame_timestamp": 12.5,
        "anchor": "frame",
        "created_by": {"username": "quinn", "full_name": "Quinn QA"},
    }
    assert {key: annotation[key] for key in expected} == expected


async def test_a_refused_annotation_sends_no_event(api: ApiClient, batch: dict[str, Any]) -> None:
    async with subscribed(api, batch["id"], "olivia") as headset:
        bad = arrow(batch["id"], points=[[0.2, 0.3]])
        assert (await api.post(f"/batches/{batch['id']}/annotations", "quinn", bad)).status == 422
        good = await api.post(f"/batches/{batch['id']}/annotations", "quinn", arrow(batch["id"]))
        event = await next_event(headset, "annotation")
    assert event["annotation"]["id"] == good.body["id"], "the refused one produced no event"

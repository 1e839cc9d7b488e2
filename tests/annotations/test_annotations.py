"""Experts draw, clear and see annotations; operators acknowledge them; all of it audited."""

from __future__ import annotations

from typing import Any

from tests.annotations.support import arrow
from tests.api.fixtures import complete, signature
from tests.client import ApiClient
from tests.events import next_event, subscribed


async def _trail(api: ApiClient, batch_id: str, entity: str) -> list[dict[str, Any]]:
    trail = await api.get_all(f"/batches/{batch_id}/audit", "quinn")
    return [entry for entry in trail if entry["entity_type"] == entity]


async def test_an_expert_draws_an_arrow_on_the_active_step_kept_in_the_record_and_audited(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    drawn = await api.post(f"/batches/{batch['id']}/annotations", "quinn", arrow(batch["id"]))
    assert drawn.status == 201, drawn.body
    annotation = drawn.body
    assert {key: annotation[key] for key in ("shape", "points", "color", "step_id", "anchor")} == {
        "shape": "arrow",
        "points": [[0.2, 0.3], [0.5, 0.5]],
        "color": "#ff3b30",
        "step_id": "clearance",
        "anchor": "frame",
    }
    assert annotation["frame_timestamp"] == 12.5
    assert annotation["created_by"] == {"username": "quinn", "full_name": "Quinn QA"}
    assert annotation["cleared_at"] is None and annotation["acknowledged_at"] is None

    listed = await api.get(f"/batches/{batch['id']}/annotations", "olivia")
    assert listed.status == 200 and listed.body == [annotation]
    [entry] = await _trail(api, batch["id"], "annotation")
    assert (entry["action"], entry["entity_id"]) == ("annotation.created", annotation["id"])
    assert entry["actor"].startswith("quinn ")
    assert entry["new"]["shape"] == "arrow"


async def test_every_expert_role_may_draw(api: ApiClient, batch: dict[str, Any]) -> None:
    for expert in ["sam", "quinn", "alex", "ada"]:
        drawn = await api.post(f"/batches/{batch['id']}/annotations", expert, arrow(batch["id"]))
        assert drawn.status == 201, (expert, drawn.body)


async def test_an_operator_may_not_draw_or_clear_and_nothing_is_recorded(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    path = f"/batches/{batch['id']}/annotations"
    refused = await api.post(path, "olivia", arrow(batch["id"]))
    assert refused.status == 403
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert (await api.get(path, "olivia")).body == []
    drawn = (await api.post(path, "quinn", arrow(batch["id"]))).body
    assert (await api.post(f"{path}/{drawn['id']}/clear", "olivia")).status == 403
    assert (await api.get(path, "olivia")).body[0]["cleared_at"] is None
    assert [e["action"] for e in await _trail(api, batch["id"], "annotation")] == [
        "annotation.created"
    ]


async def test_clearing_keeps_the_annotation_in_the_record_and_tells_the_headset(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    path = f"/batches/{batch['id']}/annotations"
    drawn = (await api.post(path, "quinn", arrow(batch["id"]))).body
    async with subscribed(api, batch["id"], "olivia") as headset:
        cleared = await api.post(f"{path}/{drawn['id']}/clear", "sam")
        assert cleared.status == 200, cleared.body
        event = await next_event(headset, "annotation", action="cleared")
    assert cleared.body["cleared_by"] == {"username": "sam", "full_name": "Sam Supervisor"}
    assert (event["action"], event["annotation"]["id"]) == ("cleared", drawn["id"])
    assert event["annotation"]["cleared_at"] == cleared.body["cleared_at"]

    again = await api.post(f"{path}/{drawn['id']}/clear", "quinn")
    assert again.status == 409 and again.body["current"]["state"] == "cleared"
    too_late = await api.post(f"{path}/{drawn['id']}/acknowledge", "olivia")
    assert too_late.status == 409
    [kept] = (await api.get(path, "quinn")).body
    assert kept["cleared_by"]["username"] == "sam" and kept["acknowledged_at"] is None
    actions = [e["action"] for e in await _trail(api, batch["id"], "annotation")]
    assert actions == ["annotation.created", "annotation.cleared"]


async def test_the_operator_acknowledges_once_and_the_expert_can_still_clear(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    path = f"/batches/{batch['id']}/annotations"
    drawn = (await api.post(path, "quinn", arrow(batch["id"]))).body
    assert (await api.post(f"{path}/{drawn['id']}/acknowledge", "quinn")).status == 403
    async with subscribed(api, batch["id"], "quinn") as console:
        seen = await api.post(f"{path}/{drawn['id']}/acknowledge", "olivia")
        assert seen.status == 200, seen.body
        event = await next_event(console, "annotation", action="acknowledged")
    assert seen.body["acknowledged_by"] == {"username": "olivia", "full_name": "Olivia Operator"}
    assert (event["action"], event["annotation"]["acknowledged_by"]["username"]) == (
        "acknowledged",
        "olivia",
    )
    twice = await api.post(f"{path}/{drawn['id']}/acknowledge", "omar")
    assert twice.status == 409 and twice.body["current"]["state"] == "acknowledged"
    assert (await api.post(f"{path}/{drawn['id']}/clear", "quinn")).status == 200
    actions = [e["action"] for e in await _trail(api, batch["id"], "annotation")]
    assert actions == ["annotation.created", "annotation.acknowledged", "annotation.cleared"]


async def test_unknown_batch_or_annotation_is_404(api: ApiClient, batch: dict[str, Any]) -> None:
    unknown_batch = await api.post("/batches/no-such-batch/annotations", "quinn", arrow("x"))
    assert unknown_batch.status == 404 and "no-such-batch" in unknown_batch.body["detail"]
    assert (await api.get("/batches/no-such-batch/annotations", "quinn")).status == 404
    path = f"/batches/{batch['id']}/annotations/no-such-annotation"
    assert (await api.post(f"{path}/clear", "quinn")).status == 404
    assert (await api.post(f"{path}/acknowledge", "olivia")).status == 404


async def test_an_annotation_is_only_reached_through_its_own_batch(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    drawn = (
        await api.post(f"/batches/{batch['id']}/annotations", "quinn", arrow(batch["id"]))
    ).body
    other = (
        await api.post("/batches", "sam", {"procedure": "test-line", "batch_number": "B-2"})
    ).body
    answer = await api.post(f"/batches/{other['id']}/annotations/{drawn['id']}/clear", "quinn")
    assert answer.status == 404


async def test_a_named_step_or_second_stream_of_the_batch_is_kept(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    body = arrow(batch["id"], stream_id=f"{batch['id']}.cam2", step_id="weigh")
    drawn = await api.post(f"/batches/{batch['id']}/annotations", "quinn", body)
    assert drawn.status == 201, drawn.body
    assert (drawn.body["stream_id"], drawn.body["step_id"]) == (f"{batch['id']}.cam2", "weigh")


async def test_the_same_idempotency_key_replays_and_records_one_annotation(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    path = f"/batches/{batch['id']}/annotations"
    headers = {"Idempotency-Key": "console-42-arrow-1"}
    first = await api.post(path, "quinn", arrow(batch["id"]), headers=headers)
    second = await api.post(path, "quinn", arrow(batch["id"]), headers=headers)
    assert first.status == second.status == 201
    assert first.body == second.body and second.headers.get("Idempotent-Replayed") == "true"
    assert len((await api.get(path, "quinn")).body) == 1
    assert len(await _trail(api, batch["id"], "annotation")) == 1
    clear = f"{path}/{first.body['id']}/clear"
    headers = {"Idempotency-Key": "console-42-clear-1"}
    assert (await api.post(clear, "quinn", headers=headers)).status == 200
    replayed = await api.post(clear, "quinn", headers=headers)
    assert replayed.status == 200 and replayed.headers.get("Idempotent-Replayed") == "true"


async def test_a_completed_batch_takes_no_new_annotations(
    api: ApiClient, batch: dict[str, Any]
) -> None:
    steps = [
        ("clearance", {"values": {"area_clean": True}}),
        ("weigh", {"values": {"net_kg": 10.0, "appearance": "conforms"}}),
        ("verify_weigh", {"signature": signature("sam", "verified")}),
        ("output", {"values": {"output_kg": 10.0}}),
        ("yield_calc", {}),
        ("rest", {}),
        ("sign_off", {"signature": signature("olivia", "performed")}),
    ]
    for step_id, body in steps:
        assert (await complete(api, batch["id"], step_id, **body)).status == 200, step_id
    refused = await api.post(f"/batches/{batch['id']}/annotations", "quinn", arrow(batch["id"]))
    assert refused.status == 409 and refused.body["current"] == {"status": "completed"}
    assert (await api.get(f"/batches/{batch['id']}/annotations", "quinn")).body == []

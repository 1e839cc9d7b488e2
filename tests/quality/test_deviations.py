"""The life of a deviation: facts added by anyone on the batch, graded, closed or cancelled by
QA with an e-signature; every change audited with its old and new values and announced."""

from __future__ import annotations

import asyncio
from typing import Any

from server.config import Settings
from tests.api.fixtures import approved_procedure, signature, started_batch
from tests.client import Answer, ApiClient
from tests.quality.review_support import alert_deviation
from tests.quality.setup import decided


async def _patch(api: ApiClient, deviation_id: str, as_user: str, body: Any) -> Answer:
    return await api.call("PATCH", f"/deviations/{deviation_id}", as_user, json=body)


async def _close(api: ApiClient, deviation_id: str, as_user: str = "quinn", **body: Any) -> Answer:
    body.setdefault("signature", signature(as_user, "approved"))
    return await api.post(f"/deviations/{deviation_id}/close", as_user, body)


async def _cancel(api: ApiClient, deviation_id: str, as_user: str = "quinn", **body: Any) -> Answer:
    body.setdefault("signature", signature(as_user, "approved"))
    return await api.post(f"/deviations/{deviation_id}/cancel", as_user, body)


async def _one(api: ApiClient, deviation_id: str) -> dict[str, Any]:
    answer = await api.get(f"/deviations/{deviation_id}", "quinn")
    assert answer.status == 200, answer.body
    return answer.body


async def _open_count(api: ApiClient, batch_id: str) -> int:
    summaries = (await api.get("/batches", "quinn")).body
    return next(s["open_deviations"] for s in summaries if s["id"] == batch_id)


async def test_a_deviation_is_investigated_then_closed_by_qa_and_its_history_shows_each_change(
    api: ApiClient,
) -> None:
    batch, deviation = await alert_deviation(api)
    dev_id = deviation["id"]
    listed = (await api.get(f"/deviations?batch_id={batch['id']}", "olivia")).body
    assert [(d["id"], d["status"], d["history"]) for d in listed] == [(dev_id, "open", [])]
    assert listed[0]["batch_number"] == batch["batch_number"]
    assert listed[0]["opened_by"] == {"username": "olivia", "full_name": "Olivia Operator"}
    assert await _open_count(api, batch["id"]) == 1

    first = await _patch(
        api,
        dev_id,
        "olivia",
        {"description": "Net weight 10.6 kg", "impact": "none on yield", "reason": "weighed"},
    )
    second = await _patch(
        api, dev_id, "sam", {"root_cause": "scoop too large", "capa": ["CAPA-2026-014"]}
    )
    closed = await _close(api, dev_id, conclusion="No impact on quality; scoop replaced.")

    assert first.status == 200, first.body
    assert (first.body["status"], first.body["impact"]) == ("investigating", "none on yield")
    assert first.body["detail"] == "Net weight 10.6 kg"
    assert second.status == 200 and second.body["capa"] == ["CAPA-2026-014"]
    assert closed.status == 200, closed.body
    assert closed.body["status"] == "closed"
    assert closed.body["closed_by"] == {"username": "quinn", "full_name": "Quinn QA"}
    assert closed.body["closed_at"] and closed.body["conclusion"].startswith("No impact")
    [signed] = closed.body["signatures"]
    assert (signed["username"], signed["full_name"], signed["meaning"]) == (
        "quinn",
        "Quinn QA",
        "approved",
    )
    history = (await _one(api, dev_id))["history"]
    assert [h["action"] for h in history] == [
        "deviation.opened",
        "deviation.updated",
        "deviation.updated",
        "deviation.closed",
    ]
    assert history[1]["old"] == {
        "description": deviation["detail"],
        "impact": None,
        "status": "open",
    }
    assert history[1]["new"] == {
        "description": "Net weight 10.6 kg",
        "impact": "none on yield",
        "status": "investigating",
    }
    assert history[1]["reason"] == "weighed" and history[1]["actor"].startswith("olivia")
    assert history[2]["old"] == {"root_cause": None, "capa": []}
    assert history[3]["old"] == {"status": "investigating"}
    assert history[3]["new"]["status"] == "closed"
    assert history[3]["new"]["signed_by"] == "quinn (Quinn QA)"
    assert await _open_count(api, batch["id"]) == 0
    audit = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    assert [e["action"] for e in audit if e["entity"] == f"deviation:{dev_id}"][-3:] == [
        "deviation.updated",
        "deviation.updated",
        "deviation.closed",
    ]
    verified = (await api.get("/audit/verify", "quinn")).body
    assert verified["ok"] is True and verified["differences"] == [], verified


async def test_only_qa_grades_closes_and_cancels(api: ApiClient) -> None:
    _, deviation = await alert_deviation(api)
    dev_id = deviation["id"]

    by_operator = await _patch(api, dev_id, "olivia", {"severity": "major"})
    same_by_operator = await _patch(api, dev_id, "olivia", {"severity": "minor", "impact": "none"})
    closed_by_supervisor = await _close(api, dev_id, "sam", conclusion="fine")
    cancelled_by_operator = await _cancel(api, dev_id, "olivia", reason="error")
    by_author = await _patch(api, dev_id, "alex", {"impact": "none"})
    by_qa = await _patch(api, dev_id, "quinn", {"severity": "major", "reason": "trend"})

    assert by_operator.status == 403 and by_operator.body["errors"][0]["field"] == "severity"
    assert same_by_operator.status == 200, "the severity it already has is no change"
    assert closed_by_supervisor.status == 403
    assert cancelled_by_operator.status == 403
    assert by_author.status == 403
    assert by_qa.status == 200 and by_qa.body["severity"] == "major"
    history = (await _one(api, dev_id))["history"]
    assert [h["new"] for h in history[1:]] == [
        {"impact": "none", "status": "investigating"},
        {"severity": "major"},
    ]


async def test_closing_needs_the_impact_and_the_root_cause_first(api: ApiClient) -> None:
    _, deviation = await alert_deviation(api)
    dev_id = deviation["id"]

    bare = await _close(api, dev_id, conclusion="fine")
    await _patch(api, dev_id, "olivia", {"impact": "none"})
    half = await _close(api, dev_id, conclusion="fine")

    assert bare.status == 422
    assert [e["field"] for e in bare.body["errors"]] == ["impact", "root_cause"]
    assert half.status == 422 and [e["field"] for e in half.body["errors"]] == ["root_cause"]
    after = await _one(api, dev_id)
    assert (after["status"], after["conclusion"], after["signatures"]) == (
        "investigating",
        None,
        [],
    )
    assert [h["action"] for h in after["history"]] == ["deviation.opened", "deviation.updated"]


async def test_malformed_changes_are_refused_and_change_nothing(api: ApiClient) -> None:
    _, deviation = await alert_deviation(api)
    dev_id = deviation["id"]

    empty = await _patch(api, dev_id, "olivia", {})
    unchanged = await _patch(api, dev_id, "olivia", {"description": deviation["detail"]})
    unknown = await _patch(api, dev_id, "olivia", {"conclusion": "sneaky"})
    blank = await _patch(api, dev_id, "olivia", {"impact": ""})
    no_conclusion = await _close(api, dev_id)
    wrong_meaning = await _cancel(
        api, dev_id, reason="raised in error", signature=signature("quinn", "reviewed")
    )
    missing = await _patch(api, "no-such-deviation", "olivia", {"impact": "none"})

    assert [a.status for a in (empty, unchanged, unknown, blank, no_conclusion)] == [422] * 5
    assert wrong_meaning.status == 422
    assert wrong_meaning.body["errors"][0]["field"] == "signature.meaning"
    assert missing.status == 404
    after = await _one(api, dev_id)
    assert after["status"] == "open" and after["cancel_reason"] is None
    assert [h["action"] for h in after["history"]] == [
        "deviation.opened",
        "deviation.signature_refused",
    ]


async def test_a_cancelled_or_closed_deviation_takes_no_more_changes(api: ApiClient) -> None:
    batch, deviation = await alert_deviation(api)
    dev_id = deviation["id"]

    cancelled = await _cancel(api, dev_id, reason="Raised in error: balance tare not set")
    again = await _cancel(api, dev_id, reason="twice")
    patched = await _patch(api, dev_id, "quinn", {"impact": "none"})
    closed = await _close(api, dev_id, conclusion="x")

    assert cancelled.status == 200, cancelled.body
    assert cancelled.body["status"] == "cancelled"
    assert cancelled.body["cancel_reason"].startswith("Raised in error")
    assert [s["meaning"] for s in cancelled.body["signatures"]] == ["approved"]
    assert [a.status for a in (again, patched, closed)] == [409, 409, 409]
    assert patched.body["current"] == {"status": "cancelled"}
    history = (await _one(api, dev_id))["history"]
    assert [h["action"] for h in history] == ["deviation.opened", "deviation.cancelled"]
    assert history[1]["reason"].startswith("Raised in error")
    assert await _open_count(api, batch["id"]) == 0


async def test_a_released_batch_freezes_its_deviations(api: ApiClient, settings: Settings) -> None:
    batch, deviation = await alert_deviation(api)
    await _patch(api, deviation["id"], "olivia", {"impact": "none", "root_cause": "scoop"})
    await decided(settings, batch["id"], "released")

    patched = await _patch(api, deviation["id"], "olivia", {"impact": "some"})
    closed = await _close(api, deviation["id"], conclusion="late")
    observed = await api.post(
        f"/batches/{batch['id']}/deviations", "olivia", {"title": "Late", "description": "x"}
    )

    assert [a.status for a in (patched, closed, observed)] == [409, 409, 409]
    assert patched.body["current"] == {"status": "released"}
    after = await _one(api, deviation["id"])
    assert (after["status"], after["impact"]) == ("investigating", "none")
    assert len((await api.get(f"/deviations?batch_id={batch['id']}", "quinn")).body) == 1


async def test_an_observation_is_raised_by_a_person_on_the_floor_and_filtered(
    api: ApiClient,
) -> None:
    batch, alert = await alert_deviation(api)
    path = f"/batches/{batch['id']}/deviations"

    observed = await api.post(
        path,
        "olivia",
        {
            "title": "Sieve mesh torn",
            "description": "The 1.0 mm screen has a tear at its rim.",
            "step_id": "weigh",
            "severity": "major",
        },
    )
    unknown_step = await api.post(
        path, "olivia", {"title": "x", "description": "y", "step_id": "nope"}
    )
    unknown_batch = await api.post(
        "/batches/no-such-batch/deviations", "olivia", {"title": "x", "description": "y"}
    )
    by_author = await api.post(path, "alex", {"title": "x", "description": "y"})

    assert observed.status == 201, observed.body
    body = observed.body
    assert (body["kind"], body["severity"], body["status"], body["step_id"]) == (
        "observation",
        "major",
        "open",
        "weigh",
    )
    assert body["detail"].startswith("The 1.0 mm screen") and body["opened_by"]["username"] == (
        "olivia"
    )
    assert unknown_step.status == 422 and unknown_step.body["errors"][0]["field"] == "step_id"
    assert unknown_batch.status == 404
    assert by_author.status == 403
    newest_first = (await api.get(f"/deviations?batch_id={batch['id']}", "quinn")).body
    assert [d["id"] for d in newest_first] == [body["id"], alert["id"]]
    major = (await api.get("/deviations?severity=major&status=open", "quinn")).body
    assert [d["id"] for d in major] == [body["id"]]
    assert (await api.get("/deviations?status=closed", "quinn")).body == []


async def _next_deviation_event(ws: Any) -> dict[str, Any]:
    async with asyncio.timeout(5):
        while True:
            event = await ws.receive_json()
            if event["type"] == "deviation":
                return event


async def test_every_change_is_announced_on_the_batch_websocket(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    token = await api.token("quinn")
    async with api.client.ws_connect(f"/api/v1/ws?token={token}") as ws:
        assert (await ws.receive_json())["type"] == "hello"
        await ws.send_json({"subscribe": f"batch:{batch['id']}"})
        assert (await ws.receive_json())["type"] == "subscribed"
        raised = await api.post(
            f"/batches/{batch['id']}/deviations",
            "olivia",
            {"title": "Door open", "description": "Airlock door left open"},
        )
        dev_id = raised.body["id"]
        opened = await _next_deviation_event(ws)
        await _patch(api, dev_id, "sam", {"impact": "none"})
        updated = await _next_deviation_event(ws)
        await _cancel(api, dev_id, reason="Door was closed: sensor fault")
        cancelled = await _next_deviation_event(ws)

    assert [(e["change"], e["status"]) for e in (opened, updated, cancelled)] == [
        ("opened", "open"),
        ("updated", "investigating"),
        ("cancelled", "cancelled"),
    ]
    assert {e["deviation_id"] for e in (opened, updated, cancelled)} == {dev_id}
    assert opened["batch_id"] == batch["id"] and opened["number"] == raised.body["number"]

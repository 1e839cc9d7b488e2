"""Issue 11's proof: one batch carries a manual weight, an alert value, a blocking exception a
supervisor approves, a missed hold time and a correction; QA reviews every exception, is
refused release while deviations are open or when they performed a step, then releases, and
the released batch takes no write at all."""

from __future__ import annotations

import asyncio

from tests.api.fixtures import complete, signature
from tests.client import ApiClient
from tests.quality.quality_batch import as_rita, rita_signs, run_quality_batch, second_reviewer


async def test_a_batch_goes_through_review_to_release_and_is_then_locked(api: ApiClient) -> None:
    batch_id = await run_quality_batch(api)

    held = await api.get(f"/batches/{batch_id}", "olivia")
    assert held.body["status"] == "on_hold"
    hold = held.body["holds"][-1]
    await asyncio.sleep(0.5)  # the hold time after mixing (0.3 s) runs out while held
    refused = await complete(api, batch_id, "rest", "olivia")
    assert refused.status == 409 and refused.body["current"]["status"] == "on_hold"
    by_raiser = await api.post(
        f"/batches/{batch_id}/holds/{hold['id']}/approve",
        "olivia",
        {"signature": signature("olivia", "approved")},
    )
    assert by_raiser.status in (403, 422), by_raiser.body
    approved = await api.post(
        f"/batches/{batch_id}/holds/{hold['id']}/approve",
        "sam",
        {"signature": signature("sam", "approved"), "comment": "Torque explained by warm motor"},
    )
    assert approved.status == 200 and approved.body["status"] == "in_progress", approved.body

    late = await complete(api, batch_id, "rest", "olivia")
    assert late.status == 200, late.body
    assert [d["kind"] for d in late.body["deviations"]] == ["hold_time_exceeded"]
    verified = await complete(
        api, batch_id, "check_water", "sam", signature=signature("sam", "verified")
    )
    assert verified.status == 200, verified.body
    corrected = await api.post(
        f"/batches/{batch_id}/steps/granulate/correct",
        "olivia",
        {
            "values": {"water_l": 1.8},
            "reason": "Flow meter read back: 1.8 L",
            "signature": signature("olivia", "corrected"),
        },
    )
    assert corrected.status == 200, corrected.body

    rita = await second_reviewer(api)
    review = (await as_rita(api, rita, "GET", f"/batches/{batch_id}/review")).body
    kinds = {item.get("deviation_kind") or item["kind"] for item in review["items"]}
    expected = {"alert_limit", "hold_time_exceeded", "manual_weight", "correction", "hold"}
    assert expected <= kinds, kinds
    assert review["ready"] is False and review["data_points"] > review["exceptions"] > 0

    by_performer = await api.post(
        f"/batches/{batch_id}/release",
        "quinn",
        {"decision": "released", "signature": signature("quinn", "released")},
    )
    assert by_performer.status == 403, by_performer.body
    too_early = await as_rita(
        api,
        rita,
        "POST",
        f"/batches/{batch_id}/release",
        {"decision": "released", "signature": rita_signs("released")},
    )
    assert too_early.status == 409, too_early.body
    reasons = " ".join(error["message"] for error in too_early.body["errors"]).lower()
    assert "deviation" in reasons and "review" in reasons, reasons

    for deviation in (await api.get(f"/deviations?batch_id={batch_id}", "quinn")).body:
        facts = await as_rita(
            api,
            rita,
            "PATCH",
            f"/deviations/{deviation['id']}",
            {"impact": "None on quality", "root_cause": "Explained in the comment"},
        )
        assert facts.status == 200, facts.body
        closed = await as_rita(
            api,
            rita,
            "POST",
            f"/deviations/{deviation['id']}/close",
            {"conclusion": "No impact on the batch", "signature": rita_signs("approved")},
        )
        assert closed.status == 200 and closed.body["status"] == "closed", closed.body
    review = (await as_rita(api, rita, "GET", f"/batches/{batch_id}/review")).body
    for item in review["items"]:
        marked = await as_rita(
            api,
            rita,
            "POST",
            f"/batches/{batch_id}/review/{item['id']}",
            {"signature": rita_signs("reviewed"), "comment": "Seen"},
        )
        assert marked.status == 200, marked.body
    released = await as_rita(
        api,
        rita,
        "POST",
        f"/batches/{batch_id}/release",
        {"decision": "released", "signature": rita_signs("released")},
    )
    assert released.status == 200 and released.body["status"] == "released", released.body

    audit_before = len(await api.get_all(f"/batches/{batch_id}/audit", "quinn"))
    writes = [
        (
            "olivia",
            f"/batches/{batch_id}/steps/granulate/correct",
            {"values": {"water_l": 2.3}, "reason": "again"},
        ),
        (
            "quinn",
            f"/batches/{batch_id}/annotations",
            {
                "stream_id": batch_id,
                "shape": "arrow",
                "points": [[0.2, 0.3], [0.5, 0.5]],
                "color": "#FF3B30",
                "frame_timestamp": 1.0,
            },
        ),
        ("quinn", f"/batches/{batch_id}/chat", {"text": "after release"}),
        ("olivia", f"/batches/{batch_id}/deviations", {"title": "late", "description": "x"}),
        ("sam", f"/batches/{batch_id}/start", None),
    ]
    for who, path, body in writes:
        answer = await api.post(path, who, body)
        assert answer.status == 409, (path, answer.status, answer.body)
    assert len(await api.get_all(f"/batches/{batch_id}/audit", "quinn")) == audit_before

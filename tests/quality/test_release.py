"""Releasing or rejecting a batch: QA only, never by who made it, refused while anything is open."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient
from tests.quality.review_support import (
    alert_deviation,
    close_deviations,
    finished_batch,
    review_all,
)


def _release(decision: str = "released", by: str = "quinn", **body: Any) -> dict[str, Any]:
    return {"decision": decision, "signature": signature(by, decision), **body}


async def _actions(api: ApiClient, batch_id: str) -> list[str]:
    return [e["action"] for e in (await api.get_all(f"/batches/{batch_id}/audit", "quinn"))]


async def test_release_is_refused_with_every_reason_listed(api: ApiClient) -> None:
    batch, deviation = await alert_deviation(api, net_kg=10.7, comment="Scoop residue")

    refused = await api.post(f"/batches/{batch['id']}/release", "quinn", _release())

    assert refused.status == 409, refused.body
    reasons = {(e["code"], e["field"]) for e in refused.body["errors"]}
    assert ("step_incomplete", "steps.verify_weigh") in reasons
    assert ("step_incomplete", "steps.sign_off") in reasons
    assert ("deviation_unresolved", f"deviations.{deviation['id']}") in reasons
    assert ("item_unreviewed", f"items.deviation:{deviation['id']}") in reasons
    review = (await api.get(f"/batches/{batch['id']}/review", "quinn")).body
    assert len(review["blocking"]) == len(refused.body["errors"])
    assert review["status"] == "in_progress" and review["decision"] is None
    assert "batch.released" not in await _actions(api, batch["id"])


async def test_a_qa_user_who_took_part_in_the_batch_may_not_release_it(api: ApiClient) -> None:
    await approved_procedure(api, "qa_line.yaml")
    performed = await started_batch(api, "qa-line")
    sampled = await complete(api, performed["id"], "qa_sample", "quinn", values={"retain_g": 10})
    assert sampled.status == 200, sampled.body
    assert (await complete(api, performed["id"], "close")).status == 200
    verified = await finished_batch(api, verifier="quinn")

    by_performer = await api.post(f"/batches/{performed['id']}/release", "quinn", _release())
    by_verifier = await api.post(
        f"/batches/{verified['id']}/release", "quinn", _release("rejected", comment="x")
    )

    for refused in (by_performer, by_verifier):
        assert refused.status == 403, refused.body
        assert "performed or verified a step" in refused.body["detail"]
        assert refused.body["errors"][0]["code"] == "took_part_in_batch"
    review = (await api.get(f"/batches/{performed['id']}/review", "quinn")).body
    assert review["status"] == "completed" and review["ready"] is True
    assert "release.signature_refused" in await _actions(api, performed["id"])


async def test_only_qa_signs_a_release_with_the_meaning_of_the_decision(api: ApiClient) -> None:
    batch = await finished_batch(api)
    path = f"/batches/{batch['id']}/release"

    by_supervisor = await api.post(path, "sam", _release())
    signed_by_supervisor = await api.post(
        path, "quinn", {"decision": "released", "signature": signature("sam", "released")}
    )
    wrong_meaning = await api.post(
        path, "quinn", {"decision": "released", "signature": signature("quinn", "approved")}
    )

    assert by_supervisor.status == 403
    assert signed_by_supervisor.status == 403
    assert wrong_meaning.status == 422
    assert wrong_meaning.body["errors"][0]["field"] == "signature.meaning"


async def test_a_batch_with_everything_reviewed_and_closed_is_released_and_locked(
    api: ApiClient,
) -> None:
    batch = await finished_batch(api)
    batch_id = batch["id"]
    reviewed = await review_all(api, batch_id)
    assert reviewed["unreviewed"] == 0 and reviewed["ready"] is False  # deviations still open
    await close_deviations(api, batch_id)
    assert (await api.get(f"/batches/{batch_id}/review", "quinn")).body["ready"] is True

    released = await api.post(
        f"/batches/{batch_id}/release", "quinn", _release(comment="Reviewed by exception")
    )
    second = await api.post(
        f"/batches/{batch_id}/release", "quinn", _release("rejected", comment="x")
    )
    late_mark = await api.post(
        f"/batches/{batch_id}/review/{reviewed['items'][0]['id']}",
        "quinn",
        {"signature": signature("quinn", "reviewed")},
    )

    assert released.status == 200, released.body
    assert released.body["status"] == "released"
    assert second.status == 409 and second.body["current"]["status"] == "released"
    assert late_mark.status == 409
    review = (await api.get(f"/batches/{batch_id}/review", "quinn")).body
    decision = review["decision"]
    assert (decision["decision"], decision["meaning"]) == ("released", "released")
    assert decision["by"]["username"] == "quinn"
    assert decision["comment"] == "Reviewed by exception"
    assert review["ready"] is False and review["status"] == "released"
    actions = await _actions(api, batch_id)
    assert actions.count("batch.released") == 1 and "batch.rejected" not in actions


async def test_a_rejection_gives_its_reason_and_may_end_an_unfinished_batch(
    api: ApiClient,
) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    path = f"/batches/{batch['id']}/release"

    without_reason = await api.post(path, "quinn", _release("rejected"))
    rejected = await api.post(
        path, "quinn", _release("rejected", comment="Granulate contaminated: line stopped")
    )

    assert without_reason.status == 422
    assert without_reason.body["errors"][0]["field"] == "comment"
    assert rejected.status == 200, rejected.body
    assert rejected.body["status"] == "rejected"
    audit = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    [entry] = [e for e in audit if e["action"] == "batch.rejected"]
    assert entry["reason"] == "Granulate contaminated: line stopped"
    assert entry["old"] == {"status": "in_progress"} and entry["new"]["status"] == "rejected"


async def test_a_batch_never_started_cannot_be_decided(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    created = await api.post(
        "/batches", "sam", {"procedure": "test-line", "batch_number": "B-NEVER-STARTED"}
    )
    assert created.status == 201, created.body

    refused = await api.post(
        f"/batches/{created.body['id']}/release", "quinn", _release("rejected", comment="x")
    )

    assert refused.status == 409
    assert refused.body["current"]["status"] == "created"

"""What the deviation, review and release tests share: a test-line batch with an alert value
(finished, with a correction), and a deviation closed behind the API."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from server.deviations.models import Deviation
from server.deviations.states import DeviationStatus
from server.web.keys import DATABASE
from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient


async def alert_deviation(
    api: ApiClient, net_kg: float = 10.6, comment: str = "slightly high"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A test-line batch whose weight was recorded in its alert band (9.5-10.5 kg): the
    batch and the deviation it opened."""
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    done = await complete(
        api,
        batch["id"],
        "weigh",
        values={"net_kg": net_kg, "appearance": "conforms"},
        comment=comment,
    )
    assert done.status == 200, done.body
    [deviation] = done.body["deviations"]
    return batch, deviation


async def finished_batch(api: ApiClient, *, verifier: str = "sam") -> dict[str, Any]:
    """A test-line batch completed with an alert weight (10.7 kg, alert band 9.5-10.5) and
    its output corrected from 10.0 to 10.2 kg after completion; the verifier signs on
    the operator's device."""
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    batch_id = batch["id"]
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("clearance", "olivia", {"values": {"area_clean": True}}),
        (
            "weigh",
            "olivia",
            {
                "values": {"net_kg": 10.7, "appearance": "conforms"},
                "comment": "Scoop residue, supervisor informed",
            },
        ),
        ("verify_weigh", "olivia", {"signature": signature(verifier, "verified")}),
        ("output", "olivia", {"values": {"output_kg": 10.0}}),
        ("yield_calc", "olivia", {}),
        ("rest", "olivia", {}),
        ("sign_off", "olivia", {"signature": signature("olivia", "performed")}),
    ]
    for step_id, user, body in steps:
        answer = await complete(api, batch_id, step_id, user, **body)
        assert answer.status == 200, (step_id, answer.body)
    corrected = await api.post(
        f"/batches/{batch_id}/steps/output/correct",
        "olivia",
        {"values": {"output_kg": 10.2}, "reason": "Transcription error: scale ticket 10.2"},
    )
    assert corrected.status == 200, corrected.body
    return batch


async def close_deviations(api: ApiClient, batch_id: str) -> None:
    """Close every deviation of the batch straight in the database: the deviation lifecycle
    (POST /deviations/{id}/close) is another change of issue 11, not what these tests test."""
    async with api.client.app[DATABASE].sessions()() as session, session.begin():
        await session.execute(
            update(Deviation)
            .where(Deviation.batch_id == batch_id)
            .values(status=DeviationStatus.CLOSED)
        )


async def review_all(api: ApiClient, batch_id: str, reviewer: str = "quinn") -> dict[str, Any]:
    """Mark every item of the batch reviewed; the review afterwards."""
    current = (await api.get(f"/batches/{batch_id}/review", reviewer)).body
    for item in current["items"]:
        marked = await api.post(
            f"/batches/{batch_id}/review/{item['id']}",
            reviewer,
            {"signature": signature(reviewer, "reviewed")},
        )
        assert marked.status == 200, marked.body
        current = marked.body
    return current

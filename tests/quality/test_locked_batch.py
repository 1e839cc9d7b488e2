"""A released or rejected batch is locked: every write to it answers 409 naming its status
and changes nothing, its audit trail included."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import update

from procedures.states import BatchStatus
from server.batches.models import Batch
from server.web.keys import DATABASE
from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import Answer, ApiClient
from tests.streams.sessions import post_sdp


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


async def _decided(api: ApiClient, status: BatchStatus) -> dict[str, Any]:
    """A blocking-step batch that was held, approved to continue and completed, with an
    annotation and a stored photo; then put in `status` as QA's decision would (the release
    endpoint is not under test here: the decided state is the precondition)."""
    await approved_procedure(api, "blocking_step.yaml")
    batch = await started_batch(api, "blocking-step")
    batch_id = batch["id"]
    drawn = await api.post(
        f"/batches/{batch_id}/annotations",
        "sam",
        {
            "stream_id": batch_id,
            "shape": "arrow",
            "points": [[0.1, 0.1], [0.4, 0.4]],
            "frame_timestamp": 1.0,
        },
    )
    assert drawn.status == 201, drawn.body
    checked = await complete(api, batch_id, "check", values={"torque": 8.5}, comment="Tight")
    assert checked.status == 200, checked.body
    hold_id = (await api.get(f"/batches/{batch_id}", "olivia")).body["holds"][0]["id"]
    approved = await api.post(
        f"/batches/{batch_id}/holds/{hold_id}/approve",
        "sam",
        {"signature": signature("sam", "approved")},
    )
    assert approved.status == 200, approved.body
    assert (await complete(api, batch_id, "pack")).status == 200
    stored = await api.call(
        "POST", "/media", "olivia", data=_png(), headers={"Content-Type": "image/png"}
    )
    assert stored.status == 201, stored.body
    database = api.client.server.app[DATABASE]
    async with database.sessions()() as session, session.begin():
        await session.execute(update(Batch).where(Batch.id == batch_id).values(status=status))
    return {
        "id": batch_id,
        "hold_id": hold_id,
        "annotation_id": drawn.body["id"],
        "media_id": stored.body["id"],
    }


async def _writes(api: ApiClient, batch: dict[str, Any]) -> dict[str, Answer]:
    """Every kind of write a batch takes, attempted on it."""
    batch_id = batch["id"]
    at = f"/batches/{batch_id}"
    whip = await post_sdp(api, f"/streams/{batch_id}/whip", "olivia", "v=0")
    return {
        "start": await api.post(f"{at}/start", "olivia"),
        "complete": await complete(api, batch_id, "pack"),
        "correct": await api.post(
            f"{at}/steps/check/correct",
            "olivia",
            {
                "values": {"torque": 5},
                "reason": "typo",
                "signature": signature("olivia", "corrected"),
            },
        ),
        "annotate": await api.post(
            f"{at}/annotations",
            "sam",
            {
                "stream_id": batch_id,
                "shape": "arrow",
                "points": [[0.1, 0.1], [0.4, 0.4]],
                "frame_timestamp": 2.0,
            },
        ),
        "clear annotation": await api.post(
            f"{at}/annotations/{batch['annotation_id']}/clear", "sam"
        ),
        "acknowledge annotation": await api.post(
            f"{at}/annotations/{batch['annotation_id']}/acknowledge", "olivia"
        ),
        "chat": await api.post(f"{at}/chat", "olivia", {"text": "anyone there?"}),
        "attach photo": await api.post(
            f"{at}/attachments", "olivia", {"media_id": batch["media_id"]}
        ),
        "approve hold": await api.post(
            f"{at}/holds/{batch['hold_id']}/approve",
            "quinn",
            {"signature": signature("quinn", "approved")},
        ),
        "publish stream": Answer(whip.status, await whip.json(content_type=None)),
    }


@pytest.mark.parametrize("status", [BatchStatus.RELEASED, BatchStatus.REJECTED])
async def test_every_write_to_a_decided_batch_is_409_and_changes_nothing(
    api: ApiClient, status: BatchStatus
) -> None:
    batch = await _decided(api, status)
    before = (await api.get(f"/batches/{batch['id']}", "quinn")).body
    trail = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")

    answers = await _writes(api, batch)

    for write, answer in answers.items():
        assert answer.status == 409, (write, answer.body)
        assert answer.body["current"] == {"status": status.value}, write
        assert f"is {status.value}" in answer.body["detail"], write
        assert "locked" in answer.body["detail"], write
    assert (await api.get(f"/batches/{batch['id']}", "quinn")).body == before
    assert (await api.get_all(f"/batches/{batch['id']}/audit", "quinn")) == trail

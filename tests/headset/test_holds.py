"""A headset shows a blocking exception's hold, refuses to go on while it holds, and resumes
when a supervisor and QA approve continuation (live, on the batch's events)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from headset_client.exceptions import EntryRefused
from tests.api.fixtures import approved_procedure, signature
from tests.client import ApiClient
from tests.headset.support import fetch, headset, say

HELD = "ON HOLD: Net weight outside its alert range ({number}) — waiting for approval"


async def _created(api: ApiClient, number: str) -> str:
    await approved_procedure(api, "blocking_line.yaml")
    created = await api.post(
        "/batches", "sam", {"procedure": "blocking-line", "batch_number": number}
    )
    assert created.status == 201, created.body
    return created.body["id"]


async def _notice(operator, starting: str) -> str:  # type: ignore[no-untyped-def]
    """The next notice that starts with `starting`, passing over the others."""
    async with asyncio.timeout(10):
        while True:
            notice = await operator.session.notices.get()
            if notice.startswith(starting):
                return notice


async def test_a_headset_shows_the_hold_and_resumes_when_it_is_lifted(
    api: ApiClient, tmp_path: Path
) -> None:
    base = str(api.client.make_url("/api/v1"))
    batch_id = await _created(api, "HB-1")
    async with headset(base, tmp_path / "outbox.db", camera=False) as operator:
        await say(operator, "batch HB-1")
        weighed = await say(operator, "value 10.7", "comment scale drift", "confirm")
        number = "HB-1-DEV-001"
        with pytest.raises(EntryRefused) as refused:
            await say(operator, "confirm")
        raised = await _notice(operator, "ON HOLD")
        [hold] = (await fetch(base, f"/batches/{batch_id}"))["holds"]
        path = f"/batches/{batch_id}/holds/{hold['id']}/approve"

        first = await api.post(path, "sam", {"signature": signature("sam", "approved")})
        approved = await _notice(operator, "continuation approved")
        still = await say(operator, "repeat")
        second = await api.post(path, "quinn", {"signature": signature("quinn", "approved")})
        lifted = await _notice(operator, "hold lifted")
        resumed = await operator.session.view_reaches(
            lambda batch: batch is not None and batch.hold is None and batch.active() is not None,
            10,
        )
        shown = await say(operator, "repeat")
        mixed = await say(operator, "confirm", "sync")

    assert first.status == 200 and second.status == 200, (first.body, second.body)
    assert HELD.format(number=number) in weighed
    assert str(refused.value) == HELD.format(number=number)
    assert raised == "ON HOLD: Net weight outside its alert range — waiting for approval"
    assert approved.startswith("continuation approved by sam: waiting for a second approval")
    assert still[0] == HELD.format(number=number)
    assert lifted.startswith("hold lifted by quinn: work resumes")
    assert resumed
    assert "Mix (ACTIVE)" in shown[0]
    assert "Mix: done" in mixed or "Mix: recorded" in mixed
    record = await fetch(base, f"/batches/{batch_id}")
    assert record["status"] == "in_progress"
    assert {s["step_id"]: s["state"] for s in record["steps"]}["mix"] == "completed"

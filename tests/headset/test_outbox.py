"""The outbox keeps every submission, in order, until the server has answered it once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp

from headset_client.api import StepwiseApi
from headset_client.outbox import PASSWORD_LOST, Entry, Outbox, Request
from headset_client.projection import Submission
from headset_client.sender import Backoff, Sender
from tests.client import PASSWORDS, ApiClient
from tests.headset.support import assert_recorded_once, fetch, prepare

SERVER, USER = "http://127.0.0.1:1/api/v1", "olivia"


def _completion(step_id: str, values: dict[str, object]) -> tuple[Request, Submission]:
    request = Request.json("POST", f"/batches/b/steps/{step_id}/complete", {"values": values})
    return request, Submission("complete", step_id, values)


async def test_entries_are_kept_in_order_with_their_key_across_restarts(tmp_path: Path) -> None:
    outbox = await Outbox.open(tmp_path / "outbox.db", SERVER, USER)
    first = await outbox.add("b", *_completion("clearance", {"area_clean": True}))
    second = await outbox.add("b", *_completion("weigh", {"net_kg": 10.0}))
    await outbox.close()
    await outbox.close()  # twice is safe

    reopened = await Outbox.open(tmp_path / "outbox.db", SERVER, USER)
    pending = await reopened.entries("pending")
    oldest = await reopened.next_pending()
    other_user = await Outbox.open(tmp_path / "outbox.db", SERVER, "omar")

    assert [e.seq for e in pending] == [first.seq, second.seq]
    assert [e.key for e in pending] == [first.key, second.key]
    assert first.key != second.key
    assert oldest == first
    assert pending[1].request == second.request
    assert pending[1].submission == Submission("complete", "weigh", {"net_kg": 10.0})
    assert await other_user.entries() == []
    await reopened.close()
    await other_user.close()


async def test_answers_are_kept_and_a_conflict_is_never_dropped(tmp_path: Path) -> None:
    outbox = await Outbox.open(tmp_path / "outbox.db", SERVER, USER)
    first = await outbox.add("b", *_completion("clearance", {"area_clean": True}))
    second = await outbox.add("b", *_completion("weigh", {"net_kg": 10.0}))
    problem = {"type": "urn:stepwise:problem:step-not-active", "status": 409, "detail": "done"}
    await outbox.answered(first.seq, "done", 200, {"result": "ok"})
    await outbox.answered(second.seq, "conflict", 409, problem)
    await outbox.answered(second.seq, "done", 200, {})  # an answered entry stays as it is

    assert await outbox.next_pending() is None
    assert [e.state for e in await outbox.entries()] == ["done", "conflict"]
    [conflict] = await outbox.entries("conflict")
    assert (conflict.status, conflict.answer) == (409, problem)
    assert await outbox.counts() == {"pending": 0, "done": 1, "conflict": 1}
    await outbox.close()


async def test_a_signature_password_never_reaches_the_disk(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    outbox = await Outbox.open(path, SERVER, USER)
    body = {"values": {}, "signature": {"meaning": "performed"}}
    request = Request.json("POST", "/batches/b/steps/sign_off/complete", body)
    entry = await outbox.add("b", request, Submission("complete", "sign_off"), "olivia-demo")
    ready = outbox.ready(entry)
    await outbox.close()
    reopened = await Outbox.open(path, SERVER, USER)
    [after_restart] = await reopened.entries("pending")

    assert ready is not None and b'"password":"olivia-demo"' in ready.body
    assert b"olivia-demo" not in path.read_bytes()
    assert reopened.ready(after_restart) is None
    await reopened.close()


async def _drain(base: str, outbox: Outbox) -> list[Entry]:
    """Send the outbox to the server until it is empty; the answers in the order they came."""
    answers: list[Entry] = []

    async def answered(entry: Entry, _seconds: float) -> None:
        answers.append(entry)

    async def signed_out() -> None:
        raise AssertionError("the token does not expire during a test")

    async with aiohttp.ClientSession() as http:
        api = StepwiseApi(http, base)
        await api.login(USER, PASSWORDS[USER])
        sender = Sender(outbox, api, answered, signed_out, Backoff(0.05, 0.2))
        running = asyncio.create_task(sender.run())
        try:
            await asyncio.wait_for(sender.drained(), 20)
        finally:
            running.cancel()
    return answers


async def test_a_lost_answer_is_replayed_and_a_stale_submission_becomes_a_conflict(
    api: ApiClient, tmp_path: Path
) -> None:
    base = str(api.client.make_url("/api/v1"))
    batch_id = (await prepare(base, "O-1"))["O-1"]
    outbox = await Outbox.open(tmp_path / "outbox.db", base, USER)
    steps = f"/batches/{batch_id}/steps"
    start = await outbox.add(
        batch_id, Request("POST", f"/batches/{batch_id}/start", b""), Submission("start")
    )
    clearance = {"values": {"area_clean": True, "tools_ready": True}}
    done = await outbox.add(
        batch_id,
        Request.json("POST", f"{steps}/clearance/complete", clearance),
        Submission("complete"),
    )
    again = await outbox.add(
        batch_id,
        Request.json("POST", f"{steps}/clearance/complete", clearance),
        Submission("complete"),
    )
    weigh = {"values": {"net_kg": 10.0, "appearance": "conforms"}}
    after = await outbox.add(
        batch_id, Request.json("POST", f"{steps}/weigh/complete", weigh), Submission("complete")
    )
    signed = {"values": {}, "signature": {"meaning": "performed"}}
    lost = await outbox.add(
        batch_id, Request.json("POST", f"{steps}/mix/complete", signed), Submission("complete"), "x"
    )
    # The start reached the server but its answer was lost on the way back.
    token = await api.token(USER)
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": start.key}
    first = await api.client.post(f"/api/v1/batches/{batch_id}/start", headers=headers)
    assert first.status == 200
    await outbox.close()
    outbox = await Outbox.open(tmp_path / "outbox.db", base, USER)  # the password is gone

    answers = await _drain(base, outbox)
    await outbox.close()

    assert [e.seq for e in answers] == [start.seq, done.seq, again.seq, after.seq, lost.seq]
    assert [e.state for e in answers] == ["done", "done", "conflict", "done", "conflict"]
    assert answers[0].answer["status"] == "in_progress"
    assert answers[2].status == 409 and answers[2].answer["current"]["state"] == "completed"
    assert answers[4].answer == PASSWORD_LOST
    record = await fetch(base, f"/batches/{batch_id}")
    assert [s["state"] for s in record["steps"][:3]] == ["completed", "completed", "skipped"]
    await assert_recorded_once(base, batch_id)

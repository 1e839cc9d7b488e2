"""Events that are never lost: every event of a batch carries its `seq`, and a client that
subscribes with `after` receives what it missed, in order, then the live ones."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.api.resume import events_until, say, seqs, socket, subscribe
from tests.client import ApiClient


async def test_a_client_that_reconnects_receives_what_it_missed_in_order_then_live_events(
    api: ApiClient,
) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    async with socket(api) as ws:
        await subscribe(ws, batch["id"], after=0)
        await say(api, batch["id"], "before")
        seen, _ = await events_until(ws, batch["id"], "before")
    last = seen[-1]["seq"]
    assert seqs(seen) == list(range(1, last + 1)), "from the batch's first event on"

    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    await say(api, batch["id"], "while away")
    async with socket(api) as ws:
        await subscribe(ws, batch["id"], after=last)
        missed, _ = await events_until(ws, batch["id"], "while away")
        await say(api, batch["id"], "live")
        live, _ = await events_until(ws, batch["id"], "live")

    assert seqs(missed) == list(range(last + 1, last + 1 + len(missed)))
    completed = [e for e in missed if e["type"] == "step" and e["state"] == "completed"]
    assert [e["step_id"] for e in completed] == ["clearance"]
    assert [e["type"] for e in live] == ["chat"] and live[0]["seq"] == missed[-1]["seq"] + 1


async def test_events_committed_while_replaying_are_neither_lost_nor_doubled(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real writes land inside the replay: one just before the first page of the journal is
    read (it comes both replayed and live), one just after the last (it comes live only)."""
    from server.events import feed, journal

    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    for n in range(6):
        await say(api, batch["id"], f"backlog {n}")
    monkeypatch.setattr(feed, "REPLAY_PAGE", 3)
    read_page = journal.events_after
    pages = 0
    written = asyncio.Event()

    async def read_page_amid_writes(*args: Any) -> list[tuple[int, str]]:
        nonlocal pages
        pages += 1
        if pages == 1:
            await say(api, batch["id"], "before the first page is read")
        page = await read_page(*args)
        if len(page) < feed.REPLAY_PAGE and not written.is_set():
            await say(api, batch["id"], "after the last page is read")
            written.set()
        return page

    monkeypatch.setattr(journal, "events_after", read_page_amid_writes)
    async with socket(api) as ws:
        await subscribe(ws, batch["id"], after=0)
        await written.wait()
        await say(api, batch["id"], "end")
        received, _ = await events_until(ws, batch["id"], "end")

    assert pages >= 3
    assert seqs(received) == list(range(1, len(received) + 1))
    texts = [e["message"]["text"] for e in received if e["type"] == "chat"]
    backlog = [f"backlog {n}" for n in range(6)]
    during = ["before the first page is read", "after the last page is read"]
    assert texts == [*backlog, *during, "end"]


async def test_seqs_are_gap_free_per_batch_under_concurrent_writes_to_two_batches(
    api: ApiClient,
) -> None:
    await approved_procedure(api, "test_line.yaml")
    first, second = await started_batch(api), await started_batch(api)

    async def writes(batch_id: str) -> None:
        await asyncio.gather(*(say(api, batch_id, f"m{n}", as_user="omar") for n in range(10)))
        await complete(api, batch_id, "clearance", values={"area_clean": True})

    await asyncio.gather(writes(first["id"]), writes(second["id"]))
    for batch in (first, second):
        await say(api, batch["id"], "end")
        async with socket(api) as ws:
            await subscribe(ws, batch["id"], after=0)
            received, _ = await events_until(ws, batch["id"], "end")
        assert seqs(received) == list(range(1, len(received) + 1))
        assert {e["batch_id"] for e in received} == {batch["id"]}
        assert sum(e["type"] == "chat" for e in received) == 11


async def test_subscribing_without_after_goes_live_and_a_bad_after_is_refused(
    api: ApiClient,
) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    await say(api, batch["id"], "old")
    async with socket(api) as ws:
        head = await subscribe(ws, batch["id"], after=None)
        await say(api, batch["id"], "new")
        received, _ = await events_until(ws, batch["id"], "new")
        assert [e["type"] for e in received] == ["chat"], "nothing from before the subscription"
        assert received[0]["seq"] == head + 1, "the stream starts after the head it announced"
        for after in (-1, "3", True, 1.5):
            await ws.send_json({"subscribe": f"batch:{batch['id']}", "after": after})
            assert (await ws.receive_json())["type"] == "error"
        await ws.send_json({"subscribe": "batches", "after": 0})
        assert (await ws.receive_json())["type"] == "error"

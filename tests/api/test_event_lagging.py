"""A subscriber too slow to keep up is told so, with where it stands, and resumes from there
without missing an event."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import LOOPBACK, Settings
from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.api.resume import events_until, say, seqs, socket, subscribe
from tests.client import ApiClient


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """A queue of one event: a transaction that announces two overflows it."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        balance_networks=LOOPBACK,
        event_queue_size=1,
    )


async def test_a_lagging_subscriber_is_told_and_resumes_without_a_gap(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    async with socket(api) as ws:
        await subscribe(ws, batch["id"], after=0)
        await complete(api, batch["id"], "clearance", values={"area_clean": True})
        await complete(api, batch["id"], "weigh", values={"net_kg": 10.0, "appearance": "conforms"})
        await say(api, batch["id"], "end")
        received, lagged = await events_until(ws, batch["id"], "end")

    assert lagged >= 1, "a completion announces two events to a queue of one"
    assert seqs(received) == list(range(1, len(received) + 1))
    completed = [
        e["step_id"] for e in received if e["type"] == "step" and e["state"] == "completed"
    ]
    assert completed == ["clearance", "weigh"]

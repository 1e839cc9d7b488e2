"""Hands-free scanning: a code in the operator's camera is judged against the active scan step
and announced on the batch's WebSocket; the headset confirms it as a manual scan."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp import web

from media.codes import DecodedCode
from server.events.schemas import EventBase
from server.streams.analysis import StreamAnalyses
from server.streams.ids import StreamId
from server.streams.live import LiveStreams
from server.streams.scanning import ScanWatch
from server.web.keys import DATABASE
from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY
from tests.events import next_event, subscribed
from tests.streams.scenes import (
    BALANCE,
    QUARANTINED_LOT,
    RELEASED_LOT,
    code_scene,
    publish_scene,
    until,
)

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY


@pytest.fixture
async def dispensing(api: ApiClient) -> dict[str, Any]:
    """A started batch of the dispense line: its active step scans a balance."""
    await approved_procedure(api, "dispense_line.yaml")
    return await started_batch(api, "dispense-line")


async def test_an_expected_code_in_view_is_announced_once_and_confirmed_as_a_scan(
    api: ApiClient, analyses: StreamAnalyses, dispensing: dict[str, Any]
) -> None:
    batch_id = dispensing["id"]
    async with subscribed(api, batch_id) as ws:
        publisher = await publish_scene(api, batch_id, code_scene(BALANCE))
        try:
            scan = await next_event(ws, "scan")
            assert scan["batch_id"] == batch_id and scan["stream_id"] == batch_id
            assert (scan["step_id"], scan["input"], scan["text"]) == (
                "scan_balance",
                "balance_id",
                BALANCE,
            )
            assert scan["format"] == "QRCode"
            assert scan["resolved"]["kind"] == "equipment"
            assert scan["resolved"]["code"] == "EQ-BAL-01"
            assert scan["at"].endswith("Z")

            analysis = analyses.of(StreamId.parse(batch_id))
            seen = analysis.analysed
            await until(lambda: analysis.analysed >= seen + 5)  # the code stays in view
            assert analysis.scanning.announced == 1

            confirmed = await complete(
                api, batch_id, "scan_balance", values={"balance_id": scan["text"]}
            )
            assert confirmed.status == 200, confirmed.body
            record = await api.get(f"/batches/{batch_id}", "olivia")
            [step] = [s for s in record.body["steps"] if s["step_id"] == "scan_balance"]
            assert step["values"] == {"balance_id": "EQ-BAL-01"}
            assert step["sources"] == {"balance_id": "scan"}

            # The next step weighs on a balance: the same code is announced for it.
            again = await next_event(ws, "scan", lambda e: e["step_id"] == "weigh_mcc")
            assert (again["input"], again["text"]) == ("balance", BALANCE)
        finally:
            await publisher.close()


async def test_a_quarantined_lot_in_view_is_rejected_with_the_manual_scan_reason(
    api: ApiClient, dispensing: dict[str, Any]
) -> None:
    batch_id = dispensing["id"]
    done = await complete(api, batch_id, "scan_balance", values={"balance_id": "EQ-BAL-01"})
    assert done.status == 200, done.body
    async with subscribed(api, batch_id) as ws:
        publisher = await publish_scene(api, batch_id, code_scene(QUARANTINED_LOT))
        try:
            rejected = await next_event(ws, "scan_rejected")
        finally:
            await publisher.close()
    assert (rejected["step_id"], rejected["input"], rejected["text"]) == (
        "weigh_mcc",
        "lot",
        QUARANTINED_LOT,
    )
    assert rejected["code"] == "quarantined"
    manual = await complete(
        api,
        batch_id,
        "weigh_mcc",
        values={"balance": "EQ-BAL-01", "lot": QUARANTINED_LOT, "mcc_kg": 2.0},
    )
    assert manual.status == 422
    assert rejected["reason"] == manual.body["detail"]
    assert "quarantine" in rejected["reason"]


async def test_no_frame_is_decoded_while_no_scan_step_is_active(
    api: ApiClient, live: LiveStreams, analyses: StreamAnalyses, batch: dict[str, Any]
) -> None:
    # The test line starts with a checklist step: nothing to scan.
    publisher = await publish_scene(api, batch["id"], code_scene(BALANCE))
    try:
        stream = live.get(StreamId.parse(batch["id"]))
        analysis = analyses.of(stream.stream_id)
        await until(lambda: analysis.scanning.refreshes > 0)
        await until(lambda: stream.relay.frames_in >= 10)
        assert not analysis.scanning.active
        assert not analysis.decoder.running
        assert (analysis.decoder.starts, analysis.decoder.decoded, analysis.analysed) == (0, 0, 0)
        assert stream.relay.viewer_count == 0
    finally:
        await publisher.close()


async def test_decoding_stops_once_no_scan_step_remains(
    api: ApiClient, live: LiveStreams, analyses: StreamAnalyses, dispensing: dict[str, Any]
) -> None:
    batch_id = dispensing["id"]
    done = await complete(api, batch_id, "scan_balance", values={"balance_id": "EQ-BAL-01"})
    assert done.status == 200, done.body
    publisher = await publish_scene(api, batch_id, code_scene(RELEASED_LOT))
    try:
        stream = live.get(StreamId.parse(batch_id))
        analysis = analyses.of(stream.stream_id)
        await until(lambda: analysis.analysed > 0)
        assert analysis.decoder.running
        weighed = await complete(
            api,
            batch_id,
            "weigh_mcc",
            values={"balance": "EQ-BAL-01", "lot": RELEASED_LOT, "mcc_kg": 2.0},
        )
        assert weighed.status == 200, weighed.body
        # The last step is an instruction: the decoder leaves the relay.
        await until(lambda: not analysis.decoder.running)
        assert stream.relay.viewer_count == 0
        analysed = analysis.analysed
        frames = stream.relay.frames_in
        await until(lambda: stream.relay.frames_in >= frames + 5)
        assert analysis.analysed == analysed
    finally:
        await publisher.close()


async def test_a_code_is_announced_again_only_after_leaving_the_view(
    app: web.Application, dispensing: dict[str, Any]
) -> None:
    events: list[dict[str, Any]] = []
    now = [0.0]

    async def collect(announced: list[EventBase]) -> None:
        events.extend(event.wire() for event in announced)

    batch_id = dispensing["id"]
    watch = ScanWatch(
        app[DATABASE], collect, batch_id=batch_id, stream_id=batch_id, clock=lambda: now[0]
    )
    await watch.refresh()
    assert watch.step is not None and watch.step.step_id == "scan_balance"
    corners = ((10.0, 10.0), (60.0, 10.0), (60.0, 60.0), (10.0, 60.0))
    label = DecodedCode("QRCode", BALANCE, False, corners)
    typed = DecodedCode("Code128", "EQ-BAL-01", False, corners)  # the same balance
    stranger = DecodedCode("QRCode", "hello", False, corners)

    for at, codes in [(0.0, [label, typed]), (0.4, [label]), (0.8, []), (1.2, [label])]:
        now[0] = at
        await watch.see(codes)
    assert [(e["type"], e["text"]) for e in events] == [("scan", BALANCE)]

    now[0] = 2.5  # out of view for more than a second: it left
    await watch.see([stranger])
    now[0] = 2.6
    await watch.see([label, stranger])
    assert [(e["type"], e["text"]) for e in events[1:]] == [
        ("scan_rejected", "hello"),
        ("scan", BALANCE),
    ]
    assert events[1]["code"] == "unknown_code" and "unknown" in events[1]["reason"]

"""The event contract: each event type's wire shape, and the check that holds every test to it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from server.events.schemas import (
    AnnotationEvent,
    BatchEvent,
    EventBase,
    StepEvent,
    StreamEvent,
    parse_event,
)

ROOT = Path(__file__).resolve().parents[2]


def _without_time(event: EventBase) -> dict[str, Any]:
    wire = event.wire()
    assert wire.pop("at").endswith("Z")
    return wire


def test_an_event_carries_its_type_batch_and_the_fields_given_and_no_others() -> None:
    ended = StreamEvent(batch_id="b1", stream_id="b1", state="ended")
    active = StepEvent(batch_id="b1", step_id="weigh", state="active")
    created = BatchEvent(batch_id="b1", status="created", batch_number="B-1")

    assert _without_time(ended) == {
        "type": "stream",
        "batch_id": "b1",
        "stream_id": "b1",
        "state": "ended",
    }
    assert _without_time(active) == {
        "type": "step",
        "batch_id": "b1",
        "step_id": "weigh",
        "state": "active",
    }
    assert list(created.wire()) == ["type", "batch_id", "at", "status", "batch_number"]


def test_a_wire_event_parses_back_to_its_model() -> None:
    moved = AnnotationEvent(
        batch_id="b1", action="moved", annotation={"id": "a1", "points": [[0.1, 0.2]]}
    )

    assert parse_event(moved.wire()) == moved


@pytest.mark.parametrize(
    "event",
    [
        {"type": "step", "batch_id": "b1", "at": "2026-01-01T00:00:00Z", "state": "done"},
        {"type": "stream", "batch_id": "b1", "at": "2026-01-01T00:00:00Z", "stream_id": "b1"},
        {"type": "weather", "batch_id": "b1", "at": "2026-01-01T00:00:00Z"},
        {"type": "batch", "batch_id": "b1", "at": "x", "status": "created", "colour": "red"},
    ],
    ids=["unknown-state", "missing-field", "unknown-type", "unknown-field"],
)
def test_an_event_outside_the_contract_is_refused(event: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        parse_event(event)


_DELIVERS_A_BAD_EVENT = """
from server.events.bus import EventBus


def test_delivers_a_step_event_without_its_step() -> None:
    EventBus(queue_size=4).deliver(
        {"type": "step", "batch_id": "b1", "at": "2026-01-01T00:00:00Z", "state": "active"}
    )
"""


def test_a_test_during_which_a_bad_event_is_delivered_fails(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text())
    (tmp_path / "test_bad_event.py").write_text(_DELIVERS_A_BAD_EVENT)

    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path), "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=110,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert "events outside the event contract" in result.stdout
    assert "1 passed, 1 error" in result.stdout

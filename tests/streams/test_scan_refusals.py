"""Every reason a scan can be refused, given alike by a manual scan (completing the step)
and by a hands-free scan (a code in the live video): one table of reasons drives both."""

from __future__ import annotations

import ast
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from media.codes import DecodedCode
from server.clock import utcnow
from server.events.schemas import EventBase
from server.streams.scanning import ScanWatch
from server.web.keys import DATABASE
from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY

# What each step's inputs get when they are not the one under test: all usable.
USABLE = {
    "setup": {
        "press_id": "EQ-PRESS-01",
        "punch_set_id": "EQ-PUNCH-S25",
        "blend": "MCC-2611-01",
        "lactose": "LAC-2611-01",
    },
    "charge": {"blend_charged": "MCC-2611-01", "lactose_charged": "LAC-2611-01"},
}
ROOT = Path(__file__).resolve().parents[2]


async def _punch_set(api: ApiClient, *, calibration_due: str = "2030-01-01") -> str:
    """A new punch set (as `sam`), recorded clean (as `olivia`)."""
    code = "EQ-PUNCH-T1"
    registered = await api.post(
        "/equipment",
        "sam",
        {
            "code": code,
            "name": "Punch set 8 mm",
            "type": "punch_set",
            "location": "Suite T",
            "calibration_due": calibration_due,
        },
    )
    assert registered.status == 201, registered.body
    await _status(api, code, "clean")
    return code


async def _status(api: ApiClient, code: str, status: str, **extra: Any) -> None:
    body = {"status": status, "reason": f"set {status} for the test", **extra}
    if status == "clean":  # a cleaning record is e-signed by who cleaned
        body["signature"] = signature("olivia", "performed")
    answer = await api.post(f"/equipment/{code}/status", "olivia", body)
    assert answer.status == 200, answer.body


async def _lactose_lot(api: ApiClient, status: str | None = None, **dates: str) -> str:
    """A new lactose lot (as `sam`), decided by QA (`quinn`) when a status is given."""
    received = await api.post(
        "/lots",
        "sam",
        {
            "material": "EXC-0204",
            "supplier": "Lactochem",
            "supplier_lot": "LC-T1",
            "quantity": "10",
            "expiry": dates.get("expiry", "2030-06-30"),
            **({"retest_date": dates["retest_date"]} if "retest_date" in dates else {}),
        },
    )
    assert received.status == 201, received.body
    number = received.body["lot_number"]
    if status is not None:
        meaning = "released" if status == "released" else "reviewed"
        decided = await api.post(
            f"/lots/{number}/status",
            "quinn",
            {
                "status": status,
                "reason": "decided for the test",
                "signature": signature("quinn", meaning),
            },
        )
        assert decided.status == 200, decided.body
    return number


async def _dirty(api: ApiClient) -> str:
    code = await _punch_set(api)
    await _status(api, code, "dirty")
    return code


async def _in_maintenance(api: ApiClient) -> str:
    code = await _punch_set(api)
    await _status(api, code, "maintenance")
    return code


async def _in_use_by_another_batch(api: ApiClient) -> str:
    code = await _punch_set(api)
    other = await started_batch(api, "scan-line")
    press = await api.post(
        "/equipment",
        "sam",
        {"code": "EQ-PRESS-T2", "name": "Press", "type": "tablet_press", "location": "Suite T"},
    )
    assert press.status == 201, press.body
    await _status(api, "EQ-PRESS-T2", "clean")
    values = {**USABLE["setup"], "press_id": "EQ-PRESS-T2", "punch_set_id": code}
    used = await complete(api, other["id"], "setup", values=values)
    assert used.status == 200, used.body
    return code


async def _clean_hold_expired(api: ApiClient) -> str:
    code = await _punch_set(api)
    await _status(api, code, "clean", clean_hold_hours=0.00005)  # 0.18 s
    await asyncio.sleep(0.3)
    return code


async def _calibration_overdue(api: ApiClient) -> str:
    return await _punch_set(api, calibration_due=(utcnow() - timedelta(days=1)).date().isoformat())


def _code(text: str) -> Callable[[ApiClient], Awaitable[str]]:
    async def given(_: ApiClient) -> str:
        return text

    return given


def _lot(status: str | None = None, **dates: str) -> Callable[[ApiClient], Awaitable[str]]:
    async def made(api: ApiClient) -> str:
        return await _lactose_lot(api, status, **dates)

    return made


@dataclass(frozen=True)
class Refusal:
    """A refusal reason: the step it is tried at, what is scanned (set up by `item`), and
    the input whose refusal a hands-free scan announces (the one the code is meant for, or,
    for a code no input takes, the first input)."""

    code: str
    step: str
    input: str
    item: Callable[[ApiClient], Awaitable[str]]


YESTERDAY = (utcnow() - timedelta(days=1)).date().isoformat()
REFUSALS = (
    Refusal("unknown_code", "setup", "press_id", _code("NO-SUCH-CODE-1")),
    Refusal("malformed_gs1", "setup", "press_id", _code("0109506000134352" + "17271331")),
    Refusal("not_equipment", "setup", "press_id", _code("CCS-2611-01")),
    Refusal("wrong_type", "setup", "press_id", _code("EQ-GRAN-01")),
    Refusal("not_clean", "setup", "punch_set_id", _dirty),
    Refusal("in_maintenance", "setup", "punch_set_id", _in_maintenance),
    Refusal("in_use_elsewhere", "setup", "punch_set_id", _in_use_by_another_batch),
    Refusal("clean_hold_expired", "setup", "punch_set_id", _clean_hold_expired),
    Refusal("calibration_overdue", "setup", "punch_set_id", _calibration_overdue),
    Refusal("not_a_lot", "charge", "blend_charged", _code("EQ-GRAN-01")),
    Refusal("wrong_material", "charge", "blend_charged", _code("CCS-2611-01")),
    Refusal("rejected", "setup", "lactose", _lot("rejected")),
    Refusal("quarantined", "setup", "lactose", _lot()),
    Refusal("expired", "setup", "lactose", _lot("released", expiry=YESTERDAY)),
    Refusal("retest_due", "setup", "lactose", _lot("released", retest_date=YESTERDAY)),
)
CORNERS = ((10.0, 10.0), (60.0, 10.0), (60.0, 60.0), (10.0, 60.0))
# Where refusals are decided: their codes are read from the code, so a new reason there
# cannot be missed here.
DECIDED_IN = ("server/equipment/rules.py", "server/materials/rules.py")
SCAN_CODES = {"unknown_code", "malformed_gs1", "not_equipment", "not_a_lot"}


def _rule_codes(path: str) -> set[str]:
    """The codes of the `Unusable(...)` refusals a rules module can give."""
    tree = ast.parse((ROOT / path).read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "Unusable"
        and isinstance(node.args[0], ast.Constant)
    }


def test_the_table_holds_every_refusal_reason_once() -> None:
    codes = [refusal.code for refusal in REFUSALS]
    assert len(codes) == len(set(codes))
    decided = set().union(*(_rule_codes(path) for path in DECIDED_IN))
    assert "wrong_type" in decided and "expired" in decided
    assert set(codes) == decided | SCAN_CODES


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda refusal: refusal.code)
async def test_a_hands_free_scan_is_refused_for_the_reason_a_manual_scan_is(
    app: web.Application, api: ApiClient, refusal: Refusal
) -> None:
    await approved_procedure(api, "scan_line.yaml")
    batch_id = (await started_batch(api, "scan-line"))["id"]
    if refusal.step == "charge":
        done = await complete(api, batch_id, "setup", values=USABLE["setup"])
        assert done.status == 200, done.body
    text = await refusal.item(api)
    events: list[dict[str, Any]] = []

    async def collect(announced: list[EventBase]) -> None:
        events.extend(event.wire() for event in announced)

    watch = ScanWatch(app[DATABASE], collect, batch_id=batch_id, stream_id=batch_id)
    await watch.refresh()
    assert watch.step is not None and watch.step.step_id == refusal.step
    await watch.see([DecodedCode("Code128", text, False, CORNERS)])
    values = {**USABLE[refusal.step], refusal.input: text}
    manual = await complete(api, batch_id, refusal.step, values=values)

    [hands_free] = events
    assert (hands_free["type"], hands_free["input"], hands_free["code"]) == (
        "scan_rejected",
        refusal.input,
        refusal.code,
    )
    assert manual.status == 422, manual.body
    assert manual.body["errors"][0]["code"] == refusal.code
    assert hands_free["reason"] == manual.body["detail"]

"""What the headset decides alone, offline: typed values, guardrails, the next step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from headset_client.entry import check_entries, check_step, scan_target, value_entry
from headset_client.exceptions import EntryRefused
from headset_client.projection import (
    BatchState,
    StepState,
    Submission,
    advance,
    project,
    server_needed,
)
from procedures.loader import load_procedure_file, sample_procedure_files
from procedures.model import Procedure
from tests.client import ApiClient
from tests.headset.support import DATA, fetch, headset, lines_of, prepare, say

LINE = load_procedure_file(DATA / "headset_line.yaml")


def _fresh(procedure: Procedure = LINE) -> BatchState:
    state = BatchState(
        "b-1",
        "B-1",
        "in_progress",
        {"batch_size_kg": 10},
        [StepState(step, "pending") for step in procedure.steps()],
    )
    advance(state)
    return state


def _done(step_id: str, values: dict[str, Any], **extra: Any) -> Submission:
    return Submission("complete", step_id, values, performer="olivia", **extra)


def test_values_are_typed_as_their_inputs_and_go_to_the_first_open_input() -> None:
    weigh = LINE.step("weigh")
    assert value_entry(weigh, {}, "10.2").name == "net_kg"
    assert value_entry(weigh, {}, "10.2").value == 10.2
    assert value_entry(weigh, {"net_kg": 10.2}, "CONFORMS").value == "conforms"
    assert value_entry(weigh, {}, "appearance does").value == "does not conform"
    assert value_entry(LINE.step("mix"), {}, "5").value == 5
    assert [e.value for e in check_entries(LINE.step("clearance"), {}, "all")] == [True, True]
    assert check_entries(LINE.step("clearance"), {"area_clean": True}, "")[0].name == "tools_ready"
    with pytest.raises(EntryRefused, match="say one of: conforms, does not conform"):
        value_entry(weigh, {"net_kg": 10.0}, "maybe")
    with pytest.raises(EntryRefused, match="is not a number"):
        value_entry(weigh, {}, "ten")


def test_a_value_beyond_a_hard_limit_is_refused_as_soon_as_it_is_said() -> None:
    weigh = LINE.step("weigh")
    with pytest.raises(EntryRefused, match=r"11.5 kg is above the hard limit 11 kg"):
        value_entry(weigh, {}, "11.5")
    alert = value_entry(weigh, {}, "10.7")
    assert alert.note is not None and "a comment is needed" in alert.note


def test_local_guardrails_refuse_a_hard_limit_and_an_alert_without_comment() -> None:
    weigh, context = LINE.step("weigh"), {"batch_size_kg": 10}
    with pytest.raises(EntryRefused) as hard:
        check_step(weigh, {"net_kg": 11.5, "appearance": "conforms"}, context, None)
    with pytest.raises(EntryRefused) as uncommented:
        check_step(weigh, {"net_kg": 10.7, "appearance": "conforms"}, context, None)
    accepted = check_step(weigh, {"net_kg": 10.7, "appearance": "conforms"}, context, "why")
    assert hard.value.problems == ["net_kg: 11.5 kg is above the maximum 11 kg"]
    assert uncommented.value.problems[0].startswith("comment: a comment must justify")
    assert [alert.field for alert in accepted.alerts] == ["net_kg"]


def test_offline_progress_skips_false_conditions_and_calculates_like_the_server() -> None:
    state = project(
        _fresh(),
        [
            _done("clearance", {"area_clean": True, "tools_ready": True}),
            _done("weigh", {"net_kg": 10.0, "appearance": "conforms"}),
        ],
    )
    steps = {s.step_id: s for s in state.steps}
    assert steps["rework"].state == "skipped"
    assert state.active() is steps["mix"]
    outcome = check_step(LINE.step("yield_calc"), {"output_kg": 9.9}, state.context(), None)
    assert outcome.calculated == {"yield_pct": 99.0}


def test_a_step_only_the_server_can_judge_holds_up_the_steps_after_it() -> None:
    offline = ["clearance", "weigh", "mix", "photo_granules", "yield_calc"]
    assert [server_needed(LINE.step(s)) for s in offline] == [None] * 5
    assert server_needed(LINE.step("verify_weigh")) is not None
    assert server_needed(LINE.step("sign_off")) is not None
    state = _fresh()
    for step in state.steps[:6]:
        step.state = "completed" if step.step_id != "rework" else "skipped"
    state.steps[6].state = "active"
    project(state, [_done("verify_weigh", {}, needs_server=True)])
    assert state.awaiting() is state.steps[6]
    assert state.active() is None
    assert state.steps[7].state == "pending"


def test_a_submission_the_record_already_holds_changes_nothing() -> None:
    clearance = _done("clearance", {"area_clean": True, "tools_ready": True})
    once = project(_fresh(), [clearance])
    twice = project(_fresh(), [clearance, clearance])
    assert [s.state for s in once.steps] == [s.state for s in twice.steps]


@pytest.mark.parametrize("path", sample_procedure_files(), ids=lambda p: Path(p).stem)
def test_scans_dispenses_signatures_and_hold_times_need_the_server(path: Path) -> None:
    for step in load_procedure_file(path).steps():
        needs = server_needed(step)
        judged_by_server = (
            step.kind == "verification"
            or step.signature is not None
            or step.dispense is not None
            or step.hold is not None
            or any(item.type == "scan" for item in step.inputs)
        )
        assert (needs is not None) == judged_by_server, step.id


def test_a_scan_goes_to_the_named_input_or_the_first_one_not_scanned() -> None:
    compression = load_procedure_file(
        next(p for p in sample_procedure_files() if "compression" in str(p))
    )
    scan = compression.step("scan_press")
    assert scan_target(scan, {}, "stepwise:equipment:EQ-PRESS-01") == (
        "press_id",
        "stepwise:equipment:EQ-PRESS-01",
    )
    assert scan_target(scan, {"press_id": "x"}, "code") == ("punch_set_id", "code")
    assert scan_target(scan, {}, "blend_drum stepwise:lot:FB-0001-D1") == (
        "blend_drum",
        "stepwise:lot:FB-0001-D1",
    )
    assert scan_target(scan, {}, "blend_drum") == ("blend_drum", "")


CASES = [
    ({"net_kg": 11.5, "appearance": "conforms"}, None),
    ({"net_kg": 8.9, "appearance": "conforms"}, None),
    ({"net_kg": 10.7, "appearance": "conforms"}, None),
    ({"net_kg": 10.0}, None),
    ({"net_kg": 10.0, "appearance": "maybe"}, None),
    ({"net_kg": 10.7, "appearance": "conforms"}, "re-weighed, same result"),
]


async def test_the_headset_and_the_server_agree_on_every_case(
    api: ApiClient, tmp_path: Path
) -> None:
    base = str(api.client.make_url("/api/v1"))
    batch_id = (await prepare(base, "R-1"))["R-1"]
    async with headset(base, tmp_path / "outbox.db", camera=False) as operator:
        await say(operator, "batch R-1", *lines_of("clearance"))
        for refused in ("value 11.5", "value net_kg 8"):
            with pytest.raises(EntryRefused, match="hard limit"):
                await say(operator, refused)
        await say(operator, "value 10.7", "value conforms")
        with pytest.raises(EntryRefused, match="comment: a comment must justify"):
            await say(operator, "confirm")
        await say(operator, "sync")
        counts = await operator.session.counts()
    assert counts == {"pending": 0, "done": 2, "conflict": 0}, "nothing refused was saved"
    record = await fetch(base, f"/batches/{batch_id}")
    assert [s["state"] for s in record["steps"][:2]] == ["completed", "active"]
    weigh = LINE.step("weigh")
    for values, comment in CASES:
        try:
            local = check_step(weigh, values, record["parameters"], comment)
        except EntryRefused as exc:
            local_fields = sorted(problem.split(":")[0] for problem in exc.problems)
            local_result = "refused"
        else:
            local_fields = []
            local_result = "alert" if local.alerts else "ok"
        body = {"values": values, **({"comment": comment} if comment else {})}
        answer = await api.post(f"/batches/{batch_id}/steps/weigh/complete", "olivia", body)
        if answer.status == 422:
            server_result = "refused"
            server_fields = sorted(
                e["field"].removeprefix("values.") for e in answer.body["errors"]
            )
        else:
            assert answer.status == 200, answer.body
            server_result, server_fields = answer.body["result"], []
        assert (local_result, local_fields) == (server_result, server_fields), values

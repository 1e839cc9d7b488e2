"""What an in-run change ("redline") of one batch's procedure may touch.

A redline changes the definition a running batch follows, never the approved version. It
may add or remove steps not yet started and change steps not yet completed; what the batch
has already done (completed and skipped steps, their order, the batch parameters) stays as
it was executed, so the record still reads as what happened.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from procedures.model import Procedure
from procedures.states import StepStatus

# Steps whose definition is history once reached: they were performed or passed over.
_DONE = frozenset({StepStatus.COMPLETED, StepStatus.SKIPPED})


def redline_issues(
    current: Procedure, proposed: Procedure, states: Mapping[str, StepStatus]
) -> list[tuple[str, str]]:
    """Why `proposed` cannot replace `current` for a batch whose steps are in `states` (by
    step id), as `(json_pointer, message)` pairs; empty when it can."""
    issues: list[tuple[str, str]] = []
    if proposed.key != current.key:
        issues.append(("/key", f"a redline keeps the procedure key {current.key!r}"))
    if proposed.parameters != current.parameters:
        issues.append(("/parameters", "batch parameters were fixed when the batch was created"))
    after = {step.id: step for step in proposed.steps()}
    reached = [
        step.id
        for step in current.steps()
        if states.get(step.id, StepStatus.PENDING) != StepStatus.PENDING
    ]
    for step_id in reached:
        state = states[step_id]
        if step_id not in after:
            where = step_pointer(current, step_id)
            issues.append((where, f"step {step_id!r} is {state}: it cannot be removed"))
        elif state in _DONE and after[step_id] != current.step(step_id):
            where = step_pointer(proposed, step_id)
            issues.append((where, f"step {step_id!r} is {state}: it cannot be changed"))
    order = [step.id for step in proposed.steps()]
    if order[: len(reached)] != reached:
        issues.append(
            (
                "/operations",
                "steps already started must stay first and in their order "
                f"({', '.join(reached)}); add new steps after them",
            )
        )
    return issues


def step_pointer(procedure: Procedure, step_id: str) -> str:
    """The JSON pointer of a step in a procedure document."""
    for index, operation in enumerate(procedure.operations):
        for position, step in enumerate(operation.steps):
            if step.id == step_id:
                return f"/operations/{index}/steps/{position}"
    raise KeyError(step_id)


def change_lines(diff: Mapping[str, Any]) -> list[str]:
    """A diff (`ProcedureDiff.as_json`) as one sentence per change, for people: the batch
    record and the deviation a redline opens show these."""
    lines = [
        f"Procedure {change['field']} changed from {_shown(change['old'])} to "
        f"{_shown(change['new'])}"
        for change in diff["procedure"]
    ]
    operations = diff["operations"]
    lines += [f"Operation added: {o['id']} “{o['title']}”" for o in operations["added"]]
    lines += [f"Operation removed: {o['id']} “{o['title']}”" for o in operations["removed"]]
    lines += [f"Operation moved: {o['id']} “{o['title']}”" for o in operations["moved"]]
    lines += _field_lines("Operation", operations["changed"])
    steps = diff["steps"]
    lines += [
        f"Step added: {s['id']} “{s['title']}” in {s['at']['operation']} at position "
        f"{s['at']['index'] + 1}"
        for s in steps["added"]
    ]
    lines += [f"Step removed: {s['id']} “{s['title']}”" for s in steps["removed"]]
    lines += [
        f"Step moved: {s['id']} “{s['title']}” to {s['new']['operation']} at position "
        f"{s['new']['index'] + 1}"
        for s in steps["moved"]
    ]
    lines += _field_lines("Step", steps["changed"])
    return lines


def _field_lines(what: str, changed: Sequence[Mapping[str, Any]]) -> list[str]:
    return [
        f"{what} {item['id']} {change['field']} changed from {_shown(change['old'])} to "
        f"{_shown(change['new'])}"
        for item in changed
        for change in item["changes"]
    ]


def _shown(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False)

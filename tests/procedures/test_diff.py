"""The semantic diff of two procedure versions: steps added, removed, moved, changed."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from procedures.diff import diff_procedures
from procedures.loader import load_procedure_file, validate_definition
from procedures.model import Procedure

TEST_LINE = Path(__file__).parent.parent / "data" / "test_line.yaml"


def _base() -> Procedure:
    return load_procedure_file(TEST_LINE)


def _edited(edit: Any) -> Procedure:
    document = copy.deepcopy(_base().model_dump(mode="json"))
    edit(document)
    return validate_definition(document)


def _steps(document: dict[str, Any], operation: int) -> list[dict[str, Any]]:
    return document["operations"][operation]["steps"]


def test_identical_versions_have_no_differences() -> None:
    diff = diff_procedures(_base(), _base())
    assert diff.unchanged
    assert diff.as_json()["steps"] == {"added": [], "removed": [], "moved": [], "changed": []}


def test_changed_limit_names_the_input_by_name_with_old_and_new_value() -> None:
    def edit(document: dict[str, Any]) -> None:
        _steps(document, 0)[1]["inputs"][0]["limits"]["alert_max"] = 10.8

    diff = diff_procedures(_base(), _edited(edit))
    [step] = diff.steps_changed
    assert (step.id, step.operation) == ("weigh", "prep")
    [change] = step.changes
    assert change.field == "inputs.net_kg.limits.alert_max"
    assert change.pointer == "/operations/0/steps/1/inputs/0/limits/alert_max"
    assert (change.kind, change.old, change.new) == ("limit", 10.5, 10.8)
    assert not diff.steps_added and not diff.steps_removed and not diff.steps_moved


def test_changed_expressions_and_conditions_are_expression_changes() -> None:
    def edit(document: dict[str, Any]) -> None:
        _steps(document, 1)[1]["calculations"][0]["expression"] = "output_kg / batch_size_kg * 99"
        _steps(document, 0)[3]["when"] = 'appearance != "conforms"'

    changes = {
        change.field: change
        for step in diff_procedures(_base(), _edited(edit)).steps_changed
        for change in step.changes
    }
    assert changes["calculations.yield_pct.expression"].kind == "expression"
    assert changes["calculations.yield_pct.expression"].new == "output_kg / batch_size_kg * 99"
    assert changes["when"].old == 'appearance == "does not conform"'
    assert changes["when"].kind == "expression"


def test_added_and_removed_steps_say_where_they_stand() -> None:
    def edit(document: dict[str, Any]) -> None:
        _steps(document, 0).insert(1, {"id": "gown", "title": "Gown up", "kind": "instruction"})
        del _steps(document, 1)[3]  # sign_off

    diff = diff_procedures(_base(), _edited(edit))
    [added] = diff.steps_added
    assert (added.id, added.at.operation, added.at.index) == ("gown", "prep", 1)
    [removed] = diff.steps_removed
    assert (removed.id, removed.at.operation, removed.at.index) == ("sign_off", "finish", 3)
    assert not diff.steps_moved  # the others shifted but kept their order


def test_a_moved_step_is_the_one_that_moved_not_every_step_it_passed() -> None:
    def edit(document: dict[str, Any]) -> None:
        steps = _steps(document, 1)
        steps.insert(0, steps.pop(3))  # sign_off first; no references break

    diff = diff_procedures(_base(), _edited(edit))
    [moved] = diff.steps_moved
    assert moved.id == "sign_off"
    assert (moved.old.index, moved.new.index) == (3, 0)
    assert not diff.steps_changed


def test_a_step_moved_to_another_operation_is_moved() -> None:
    def edit(document: dict[str, Any]) -> None:
        _steps(document, 1).insert(0, _steps(document, 0).pop(3))  # rework into finish

    [moved] = diff_procedures(_base(), _edited(edit)).steps_moved
    assert (moved.id, moved.old.operation, moved.new.operation) == ("rework", "prep", "finish")


def test_inputs_added_removed_and_reordered_inside_a_step() -> None:
    def edit(document: dict[str, Any]) -> None:
        inputs = _steps(document, 0)[1]["inputs"]
        inputs.reverse()
        inputs.append({"name": "operator_note", "label": "Note", "type": "text"})

    [step] = diff_procedures(_base(), _edited(edit)).steps_changed
    changes = {change.field: change for change in step.changes}
    assert changes["inputs.operator_note"].old is None
    assert changes["inputs.operator_note"].new["type"] == "text"
    assert changes["inputs.order"].old == ["net_kg", "appearance"]
    assert changes["inputs.order"].new == ["appearance", "net_kg"]


def test_procedure_fields_and_operations_are_reported_apart_from_steps() -> None:
    def edit(document: dict[str, Any]) -> None:
        document["title"] = "Test line, revised"
        document["parameters"][0]["default"] = 20.0
        document["operations"][1]["title"] = "Close-out"

    diff = diff_procedures(_base(), _edited(edit))
    fields = {change.field: (change.old, change.new) for change in diff.procedure}
    assert fields == {
        "title": ("Test line", "Test line, revised"),
        "parameters.batch_size_kg.default": (10.0, 20.0),
    }
    [operation] = diff.operations_changed
    assert operation.id == "finish" and operation.changes[0].new == "Close-out"
    assert not diff.steps_changed
    assert diff.summary() == {
        "procedure": ["title", "parameters.batch_size_kg.default"],
        "operations_changed": ["finish"],
    }

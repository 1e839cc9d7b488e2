"""A procedure file edited as JSON keeps its text: only the edited lines change."""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from procedures.loader import (
    load_procedure_file,
    load_procedure_text,
    sample_procedure_files,
    validate_definition,
)
from procedures.yaml_source import edited_source, source_of

GRANULATION = next(p for p in sample_procedure_files() if p.name == "granulation.yaml")


def _changed_lines(path: Path, edit: Callable[[dict[str, Any]], None]) -> tuple[list[str], str]:
    before = load_procedure_file(path)
    document = copy.deepcopy(before.model_dump(mode="json"))
    edit(document)
    after = validate_definition(document)
    original = path.read_text()
    text = edited_source(original, before, after)
    assert load_procedure_text(text, "edited.yaml") == after
    diff = difflib.unified_diff(original.splitlines(), text.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")], text


def _steps(document: dict[str, Any], operation: int) -> list[dict[str, Any]]:
    return document["operations"][operation]["steps"]


def test_a_changed_limit_inside_a_flow_mapping_changes_that_number_only() -> None:
    def edit(document: dict[str, Any]) -> None:
        _steps(document, 1)[0]["inputs"][0]["limits"]["alert_max"] = 5.8

    lines, _ = _changed_lines(GRANULATION, edit)
    assert lines == [
        "-             limits: {min: 4.0, alert_min: 4.5, alert_max: 5.5, max: 6.0}}",
        "+             limits: {min: 4.0, alert_min: 4.5, alert_max: 5.8, max: 6.0}}",
    ]


def test_instruction_added_field_and_removed_field_touch_their_lines_only() -> None:
    def edit(document: dict[str, Any]) -> None:
        step = _steps(document, 0)[0]
        step["instruction"] = "Check the suite: nothing of the previous batch left."
        step["window_minutes"] = 30
        step["signature"] = None

    lines, text = _changed_lines(GRANULATION, edit)
    assert sorted(lines) == sorted(
        [
            "-        signature: performed",
            "-        instruction: Check the granulation suite before bringing in the materials.",
            "+        instruction: 'Check the suite: nothing of the previous batch left.'",
            "+        window_minutes: 30.0",
        ]
    )
    assert text.startswith("# yaml-language-server: $schema=../schema/procedure.schema.json\n")


def test_added_and_moved_steps_keep_the_other_steps_text() -> None:
    def edit(document: dict[str, Any]) -> None:
        steps = _steps(document, 0)
        steps.append({"id": "gown_check", "title": "Gowning check", "kind": "instruction"})
        steps.insert(0, steps.pop(1))

    lines, _ = _changed_lines(GRANULATION, edit)
    added = [line for line in lines if line.startswith("+")]
    removed = [line for line in lines if line.startswith("-")]
    assert "+      - id: gown_check" in added
    moved = {line[1:] for line in removed if line.strip("- ")}
    assert moved <= {line[1:] for line in added}  # what left one place came back in another


@pytest.mark.parametrize("path", sample_procedure_files(), ids=lambda p: p.name)
def test_every_sample_round_trips_an_edit_of_every_first_step_title(path: Path) -> None:
    def edit(document: dict[str, Any]) -> None:
        for operation in document["operations"]:
            operation["steps"][0]["title"] += " (rev. B)"

    lines, _ = _changed_lines(path, edit)
    titles = sum(1 for line in lines if line.startswith("+") and "(rev. B)" in line)
    assert titles == len(load_procedure_file(path).operations)
    assert len(lines) == 2 * titles


def test_an_edit_through_a_yaml_alias_falls_back_to_a_fresh_valid_file() -> None:
    before = load_procedure_file(GRANULATION)
    document = copy.deepcopy(before.model_dump(mode="json"))
    # addition_impeller_rpm's limits are an alias of dry_mix_impeller_rpm's (&impeller_limits)
    _steps(document, 1)[1]["inputs"][2]["limits"]["max"] = 230.0
    after = validate_definition(document)
    text = edited_source(GRANULATION.read_text(), before, after)
    assert load_procedure_text(text, "edited.yaml") == after


def test_a_procedure_without_a_file_gets_a_compact_one() -> None:
    procedure = load_procedure_file(GRANULATION)
    text = source_of(procedure)
    assert load_procedure_text(text, "fresh.yaml") == procedure
    assert "verifier_roles" not in yaml.safe_load(text)["operations"][0]["steps"][0]

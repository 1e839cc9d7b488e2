import json
from collections.abc import Callable
from pathlib import Path

import pytest

from procedures.exceptions import ProcedureFileInvalid
from procedures.loader import (
    FileIssue,
    content_hash,
    load_procedure_file,
    load_procedure_text,
    procedure_json_schema,
    sample_procedure_files,
)
from procedures.schema_gen import SCHEMA_FILE

Issues = Callable[[str], list[FileIssue]]

VALID = """\
key: test
title: Test procedure
operations:
  - id: op
    title: Operation
    steps:
      - id: weigh
        title: Weigh
        kind: data_entry
        inputs:
          - name: net_kg
            label: Net weight
            type: number
            limits: {min: 1, alert_min: 2, alert_max: 3, max: 4}
"""


def test_sample_files_are_the_four_yaml_files_sorted() -> None:
    names = [path.name for path in sample_procedure_files()]

    assert names == ["coating.yaml", "compression.yaml", "dispensing.yaml", "granulation.yaml"]


@pytest.mark.parametrize("path", sample_procedure_files(), ids=lambda p: p.name)
def test_every_sample_loads_and_validates(path: Path) -> None:
    procedure = load_procedure_file(path)

    assert procedure.key == f"stw101-{path.stem}"
    assert procedure.steps()


def test_content_hash_is_stable_and_follows_content(load_yaml: Callable) -> None:
    first, again = load_yaml(VALID), load_yaml(VALID)
    changed = load_yaml(VALID.replace("max: 4", "max: 4.5"))

    assert content_hash(first) == content_hash(again)
    assert len(content_hash(first)) == 64
    assert content_hash(changed) != content_hash(first)


def test_content_hash_ignores_formatting_and_comments(load_yaml: Callable) -> None:
    reformatted = VALID.replace(
        "limits: {min: 1, alert_min: 2, alert_max: 3, max: 4}",
        (
            "limits:  # hard and alert\n"
            "              max: 4.0\n"
            "              min: 1\n"
            "              alert_min: 2\n"
            "              alert_max: 3\n"
        ),
    )

    assert content_hash(load_yaml(reformatted)) == content_hash(load_yaml(VALID))


def test_committed_schema_file_is_up_to_date() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

    assert committed == procedure_json_schema(), "run: python -m procedures.schema_gen"


def test_schema_describes_a_procedure_for_editors() -> None:
    schema = procedure_json_schema()

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Stepwise procedure"
    assert {"key", "title", "operations"} <= set(schema["required"])


def test_error_names_file_line_and_path_of_bad_limits(issues_of: Issues) -> None:
    issues = issues_of(VALID.replace("alert_min: 2", "alert_min: 0.5"))

    assert issues == [
        FileIssue("operations[0].steps[0].inputs[0].limits", 14, "alert_min must not be below min")
    ]


def test_error_message_reads_one_line_per_issue() -> None:
    text = VALID.replace("alert_min: 2", "alert_min: 0.5").replace("key: test", "key: Test")

    with pytest.raises(ProcedureFileInvalid) as info:
        load_procedure_text(text, "dispensing.yaml")

    assert str(info.value).splitlines() == [
        "dispensing.yaml:1: key: String should match pattern '^[a-z0-9][a-z0-9_-]*$'",
        "dispensing.yaml:14: operations[0].steps[0].inputs[0].limits: "
        "alert_min must not be below min",
    ]


def test_unknown_field_is_reported_at_its_key(issues_of: Issues) -> None:
    issues = issues_of(
        VALID.replace("        title: Weigh\n", "        title: Weigh\n        colour: red\n")
    )

    assert issues == [FileIssue("operations[0].steps[0].colour", 9, "unknown field")]


def test_missing_field_is_reported_at_its_parent(issues_of: Issues) -> None:
    issues = issues_of(VALID.replace("            label: Net weight\n", ""))

    assert issues == [
        FileIssue("operations[0].steps[0].inputs[0].label", 11, "missing required field")
    ]


def test_wrong_kind_structure_is_reported_with_path_and_line(issues_of: Issues) -> None:
    issues = issues_of(VALID.replace("kind: data_entry", "kind: checklist"))

    assert issues == [
        FileIssue(
            "operations[0].steps[0].inputs", 10, "a checklist step needs at least one boolean input"
        ),
        FileIssue("operations[0].steps[0].inputs[0].type", 13, "checklist items must be boolean"),
    ]


def test_unsafe_expression_is_reported_with_path_and_line(issues_of: Issues) -> None:
    issues = issues_of(VALID + "        when: __import__('os').getcwd()\n")

    assert len(issues) == 1
    assert issues[0].path == "operations[0].steps[0].when"
    assert issues[0].line == 15
    assert issues[0].message.startswith("invalid expression: only min, max, abs, round")


def test_duplicate_yaml_key_is_rejected_at_the_second_key(issues_of: Issues) -> None:
    issues = issues_of(
        VALID.replace("        title: Weigh\n", "        title: Weigh\n        title: Tare\n")
    )

    assert issues == [FileIssue("operations[0].steps[0].title", 9, "duplicate key 'title'")]


def test_yaml_anchors_and_aliases_are_allowed(load_yaml: Callable) -> None:
    text = VALID.replace("limits: {min", "limits: &limits {min") + (
        "          - {name: gross_kg, label: Gross weight, type: number, limits: *limits}\n"
    )

    procedure = load_yaml(text)

    inputs = procedure.step("weigh").inputs
    assert inputs[1].limits == inputs[0].limits


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("key: [unclosed\n", 2, "YAML syntax error: expected ',' or ']'"),
        ("key: a\n  title: b\n", 2, "YAML syntax error: mapping values are not allowed here"),
        ("key: a\n---\nkey: b\n", 2, "YAML syntax error: but found another document"),
        ("- just\n- a list\n", 1, "the file must be a mapping of procedure fields"),
        ("", None, "the file is empty"),
        ("# only a comment\n", None, "the file is empty"),
        ("key: a\nwhen: 2025-13-01\n", None, "invalid value: month must be in 1..12"),
    ],
)
def test_unreadable_yaml_is_one_issue_with_its_line(
    issues_of: Issues, text: str, line: int | None, message: str
) -> None:
    [issue] = issues_of(text)

    assert issue.line == line
    assert issue.message.startswith(message)


def test_missing_file_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"

    with pytest.raises(ProcedureFileInvalid) as info:
        load_procedure_file(path)

    assert info.value.filename == str(path)
    assert info.value.issues[0].message.startswith("cannot read:")


def test_file_errors_are_labelled_with_the_path_given(tmp_path: Path) -> None:
    path = tmp_path / "coating.yaml"
    path.write_text(VALID.replace("key: test", "key: Test"), encoding="utf-8")

    with pytest.raises(ProcedureFileInvalid) as info:
        load_procedure_file(path)

    assert str(info.value).startswith(f"{path}:1: key: String should match pattern")


YIELDING = """\
key: test
title: Test procedure
operations:
  - id: op
    title: Operation
    steps:
      - id: discharge
        title: Discharge
        kind: data_entry
        yields: {material: FB, quantity_from: net_kg, unit: kg, shelf_life_days: 30}
        inputs:
          - {name: net_kg, label: Net weight, type: number, unit: kg}
          - {name: drum, label: Drum, type: text}
"""


def test_a_step_yields_an_output_lot_from_one_of_its_number_inputs() -> None:
    step = load_procedure_text(YIELDING, "t.yaml").step("discharge")
    assert step.yields is not None
    assert (step.yields.material, step.yields.quantity_from) == ("FB", "net_kg")


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (("net_kg, unit: kg", "gross_kg, unit: kg"), "quantity_from", "no input 'gross_kg'"),
        (("net_kg, unit: kg", "drum, unit: kg"), "quantity_from", "'drum' is a text input"),
        (("unit: kg, shelf", "unit: g, shelf"), "unit", "'net_kg' is recorded in kg, not g"),
        (("unit: kg, shelf", "unit: t, shelf"), "unit", ""),
        (("shelf_life_days: 30", "shelf_life_days: 0"), "shelf_life_days", ""),
        (("material: FB, ", ""), "material", "missing required field"),
        (("shelf_life_days: 30", "shelf_life_days: 30, lot: X"), "lot", "unknown field"),
    ],
)
def test_a_bad_yield_is_reported_at_its_file_line_and_path(
    issues_of: Issues, change: tuple[str, str], path: str, message: str
) -> None:
    found = issues_of(YIELDING.replace(*change))
    assert [(issue.line, issue.path) for issue in found] == [
        (10, f"operations[0].steps[0].yields.{path}")
    ]
    assert message in found[0].message

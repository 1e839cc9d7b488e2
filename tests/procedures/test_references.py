from collections.abc import Callable

from procedures.loader import FileIssue

Issues = Callable[[str], list[FileIssue]]

HEAD = """\
key: test
title: Test procedure
parameters:
  - {name: batch_size_kg, label: Batch size, unit: kg}
operations:
  - id: op
    title: Operation
    steps:
"""


def test_duplicate_step_id_names_the_first_use(issues_of: Issues) -> None:
    issues = issues_of(
        HEAD
        + """\
      - {id: clean, title: Clean, kind: instruction}
      - {id: clean, title: Clean again, kind: instruction}
"""
    )

    assert issues == [
        FileIssue(
            "operations[0].steps[1].id",
            10,
            "duplicate step id 'clean', already used at operations[0].steps[0].id",
        )
    ]


def test_duplicate_operation_id_is_reported(issues_of: Issues) -> None:
    issues = issues_of(
        HEAD
        + """\
      - {id: a, title: A, kind: instruction}
  - id: op
    title: Again
    steps:
      - {id: b, title: B, kind: instruction}
"""
    )

    assert issues == [
        FileIssue(
            "operations[1].id", 10, "duplicate operation id 'op', already used at operations[0].id"
        )
    ]


def test_value_names_are_unique_across_parameters_inputs_and_calculations(
    issues_of: Issues,
) -> None:
    issues = issues_of(
        HEAD
        + """\
      - id: weigh
        title: Weigh
        kind: calculation
        inputs:
          - {name: batch_size_kg, label: Again, type: number}
        calculations:
          - {name: net_kg, label: Net, expression: batch_size_kg}
          - {name: net_kg, label: Net again, expression: batch_size_kg}
"""
    )

    assert [(issue.path, issue.line) for issue in issues] == [
        ("operations[0].steps[0].inputs[0].name", 13),
        ("operations[0].steps[0].calculations[1].name", 16),
    ]
    assert issues[0].message == (
        "duplicate value name 'batch_size_kg', already used at parameters[0].name"
    )


def test_expression_may_not_use_a_value_recorded_later(issues_of: Issues) -> None:
    issues = issues_of(
        HEAD
        + """\
      - id: check
        title: Check
        kind: instruction
        when: lod_pct > 2.0
      - {id: test, title: Test, kind: data_entry, inputs: [{name: lod_pct, label: L, type: number}]}
"""
    )

    assert issues == [
        FileIssue(
            "operations[0].steps[0].when",
            12,
            "'lod_pct' is not known yet here: it is recorded at operations[0].steps[1].inputs[0]",
        )
    ]


def test_when_may_not_use_its_own_steps_inputs(issues_of: Issues) -> None:
    issues = issues_of(
        HEAD
        + """\
      - id: test
        title: Test
        kind: data_entry
        when: lod_pct > 2.0
        inputs: [{name: lod_pct, label: LOD, type: number}]
"""
    )

    assert [issue.path for issue in issues] == ["operations[0].steps[0].when"]


def test_expression_may_not_use_an_unknown_name(issues_of: Issues) -> None:
    issues = issues_of(
        HEAD
        + """\
      - id: total
        title: Total
        kind: calculation
        calculations:
          - {name: total_kg, label: Total, expression: batch_size_kg + spillage_kg}
"""
    )

    assert issues == [
        FileIssue(
            "operations[0].steps[0].calculations[0].expression", 13, "'spillage_kg' is not defined"
        )
    ]


def test_calculation_uses_parameters_earlier_values_own_inputs_and_earlier_calculations(
    load_yaml: Callable,
) -> None:
    procedure = load_yaml(
        HEAD
        + """\
      - {id: tare, title: Tare, kind: data_entry, inputs: [{name: tare_kg, label: T, type: number}]}
      - id: weigh
        title: Weigh
        kind: calculation
        inputs: [{name: gross_kg, label: Gross, type: number}]
        calculations:
          - {name: net_kg, label: Net, expression: gross_kg - tare_kg}
          - {name: yield_pct, label: Yield, expression: net_kg / batch_size_kg * 100}
      - {id: rework, title: Rework, kind: instruction, when: yield_pct < 95}
"""
    )

    assert procedure.step("rework").when == "yield_pct < 95"


def test_hold_and_verification_must_refer_to_earlier_steps(issues_of: Issues) -> None:
    issues = issues_of(
        HEAD
        + """\
      - {id: wait, title: Wait, kind: timer, hold: {after: blend, min_minutes: 3}}
      - {id: blend, title: Blend, kind: instruction}
      - {id: check, title: Check, kind: verification, verifies: check}
      - {id: recheck, title: Recheck, kind: verification, verifies: nothing}
"""
    )

    assert issues == [
        FileIssue(
            "operations[0].steps[0].hold.after",
            9,
            "step 'blend' comes later; refer to an earlier step",
        ),
        FileIssue(
            "operations[0].steps[2].verifies",
            11,
            "must refer to an earlier step, not to this step itself",
        ),
        FileIssue("operations[0].steps[3].verifies", 12, "there is no step 'nothing'"),
    ]

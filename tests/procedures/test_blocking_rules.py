"""The validator explains mistakes in blocking exceptions with file, path and line."""

from collections.abc import Callable

import pytest

from procedures.exceptions import ProcedureFileInvalid
from procedures.holds import is_blocking
from procedures.loader import FileIssue, load_procedure_text
from procedures.model import Procedure

Issues = Callable[[str], list[FileIssue]]

BLOCKING = """\
key: test
title: Test procedure
holds:
  approvals: 2
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
            limits: {min: 1, alert_min: 2, alert_max: 3, max: 4, blocking: true}
"""


def test_a_blocking_limit_holds_the_batch_for_its_alert_deviation(
    load_yaml: Callable[[str], Procedure],
) -> None:
    procedure = load_yaml(BLOCKING)

    assert procedure.holds.approvals == 2
    assert is_blocking(procedure, "alert_limit", "weigh", "net_kg")
    assert not is_blocking(procedure, "hold_time_exceeded", "weigh", None)


def test_blocking_limit_without_alert_band_is_named_by_file_path_and_line() -> None:
    text = BLOCKING.replace("alert_min: 2, alert_max: 3, ", "")

    with pytest.raises(ProcedureFileInvalid) as info:
        load_procedure_text(text, "blocking.yaml")

    assert info.value.issues == [
        FileIssue(
            "operations[0].steps[0].inputs[0].limits",
            16,
            "blocking needs an alert band: give alert_min or alert_max",
        )
    ]
    assert str(info.value).startswith("blocking.yaml:16: operations[0].steps[0].inputs[0].limits")


def test_three_approvals_are_refused_at_their_line(issues_of: Issues) -> None:
    issues = issues_of(BLOCKING.replace("approvals: 2", "approvals: 3"))

    assert [(issue.path, issue.line) for issue in issues] == [("holds.approvals", 4)]
    assert "less than or equal to 2" in issues[0].message


def test_an_unknown_blocking_kind_is_refused_at_its_line(issues_of: Issues) -> None:
    issues = issues_of(BLOCKING.replace("approvals: 2", "kinds: [late_coffee]"))

    assert [(issue.path, issue.line) for issue in issues] == [("holds.kinds[0]", 4)]

"""Typed problems become the `errors` of a problem document in one place."""

from __future__ import annotations

import json

from server.errors import Invalid, Problem
from server.web.problems import from_domain_error, problem_entry


def test_a_problem_renders_its_given_parts_and_its_details() -> None:
    refused = Problem(
        "values.lot",
        "the lot is in quarantine",
        code="lot_quarantined",
        details={"overridable": True},
    )
    above = Problem("values.force", "above 12", code="above_max", value=13.5, limit={"max": 12})

    assert problem_entry(refused) == {
        "field": "values.lot",
        "code": "lot_quarantined",
        "message": "the lot is in quarantine",
        "overridable": True,
    }
    assert problem_entry(above) == {
        "field": "values.force",
        "code": "above_max",
        "message": "above 12",
        "value": 13.5,
        "limit": {"max": 12},
    }
    assert problem_entry(Problem("format", "png or pdf")) == {
        "field": "format",
        "message": "png or pdf",
    }


def test_an_error_without_problems_has_no_errors_member() -> None:
    answer = from_domain_error(Invalid("Nothing to do."))

    assert answer.status == 422
    assert "errors" not in json.loads(answer.text or "{}")

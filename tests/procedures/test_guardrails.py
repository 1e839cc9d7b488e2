from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from procedures.exceptions import ExpressionFailed, ParametersRejected, StepRejected
from procedures.guardrails import (
    Alert,
    FieldProblem,
    check_parameters,
    evaluate_step,
    hold_status,
    is_applicable,
)
from procedures.model import Hold, Limits, Parameter, Step

WEIGH = Step.model_validate(
    {
        "id": "weigh_api",
        "title": "Weigh API",
        "kind": "data_entry",
        "inputs": [
            {
                "name": "api_kg",
                "label": "API net weight",
                "type": "number",
                "unit": "kg",
                "limits": {"min": 12.4, "alert_min": 12.45, "alert_max": 12.55, "max": 12.6},
                "deviation_severity": "major",
            },
            {
                "name": "lot",
                "label": "API lot",
                "type": "scan",
                "expects": {"kind": "material", "material": "API"},
            },
            {
                "name": "colour",
                "label": "Colour",
                "type": "choice",
                "choices": ["white", "off-white"],
            },
            {"name": "sieved", "label": "Sieved", "type": "boolean"},
            {"name": "note", "label": "Note", "type": "text", "required": False},
        ],
    }
)
GOOD = {"api_kg": 12.5, "lot": "L-001", "colour": "white", "sieved": True}

YIELD = Step.model_validate(
    {
        "id": "final_yield",
        "title": "Yield",
        "kind": "calculation",
        "inputs": [{"name": "output_kg", "label": "Output", "type": "number", "unit": "kg"}],
        "calculations": [
            {
                "name": "net_kg",
                "label": "Net output",
                "expression": "output_kg - tare_kg",
                "unit": "kg",
            },
            {
                "name": "yield_pct",
                "label": "Yield",
                "expression": "net_kg / batch_size_kg * 100",
                "unit": "%",
                "decimals": 1,
                "limits": {"min": 90, "alert_min": 96, "max": 100.5},
                "deviation_severity": "critical",
            },
        ],
    }
)
CONTEXT = {"batch_size_kg": 12.0, "tare_kg": 0.5}


def rejected(
    step: Step,
    values: dict[str, Any],
    context: dict[str, Any] = CONTEXT,
    comment: str | None = None,
) -> dict[str, FieldProblem]:
    """The problems of a refused completion, by field."""
    with pytest.raises(StepRejected) as info:
        evaluate_step(step, values, context, comment)
    return {problem.field: problem for problem in info.value.problems}


def test_values_within_the_alert_band_are_accepted_without_alerts() -> None:
    outcome = evaluate_step(WEIGH, GOOD, CONTEXT)

    assert outcome.values == GOOD
    assert outcome.calculated == {}
    assert outcome.alerts == []


def test_hard_limit_breach_is_rejected_naming_field_and_limit() -> None:
    problems = rejected(WEIGH, {**GOOD, "api_kg": 12.9})

    assert problems == {
        "api_kg": FieldProblem(
            "api_kg",
            "above_max",
            "12.9 kg is above the maximum 12.6 kg",
            12.9,
            {"min": 12.4, "max": 12.6},
        )
    }
    assert rejected(WEIGH, {**GOOD, "api_kg": 12.3})["api_kg"].code == "below_min"


def test_alert_value_without_comment_requires_one() -> None:
    problems = rejected(WEIGH, {**GOOD, "api_kg": 12.58}, comment="  ")

    assert list(problems) == ["comment"]
    assert problems["comment"].code == "comment_required"
    assert "API net weight" in problems["comment"].message


def test_alert_value_with_comment_is_accepted_as_an_alert_with_its_severity() -> None:
    outcome = evaluate_step(WEIGH, {**GOOD, "api_kg": 12.42}, CONTEXT, comment="Balance drift")

    assert outcome.values["api_kg"] == 12.42
    assert outcome.alerts == [
        Alert(
            "api_kg",
            12.42,
            "12.42 kg is below the alert limit 12.45 kg",
            {"alert_min": 12.45, "alert_max": 12.55},
            "major",
        )
    ]


def test_missing_required_values_are_rejected_but_optional_ones_may_be_absent() -> None:
    problems = rejected(WEIGH, {"api_kg": None, "lot": "  ", "colour": "white", "sieved": True})

    assert {field: p.code for field, p in problems.items()} == {
        "api_kg": "required",
        "lot": "required",
    }
    assert "note" not in evaluate_step(WEIGH, {**GOOD, "note": ""}, CONTEXT).values


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("api_kg", True, "wrong_type"),
        ("api_kg", "12.5", "wrong_type"),
        ("api_kg", float("nan"), "wrong_type"),
        ("api_kg", float("inf"), "wrong_type"),
        ("api_kg", 10**400, "wrong_type"),
        ("lot", 42, "wrong_type"),
        ("sieved", "yes", "wrong_type"),
        ("sieved", 1, "wrong_type"),
        ("colour", "blue", "not_a_choice"),
        ("colour", 1, "not_a_choice"),
    ],
)
def test_values_of_the_wrong_type_are_rejected(field: str, value: object, code: str) -> None:
    problem = rejected(WEIGH, {**GOOD, field: value})[field]

    assert problem.code == code
    assert problem.value is value


def test_not_a_choice_lists_the_choices() -> None:
    problem = rejected(WEIGH, {**GOOD, "colour": "blue"})["colour"]

    assert problem.limit == {"choices": ["white", "off-white"]}
    assert problem.message == "must be one of: white, off-white"


def test_integers_are_numbers() -> None:
    step = Step.model_validate(
        {
            "id": "s",
            "title": "S",
            "kind": "data_entry",
            "inputs": [{"name": "n", "label": "N", "type": "number"}],
        }
    )

    assert evaluate_step(step, {"n": 3}, {}).values == {"n": 3}


def test_unknown_fields_are_rejected_with_every_other_problem() -> None:
    problems = rejected(WEIGH, {**GOOD, "api_kg": 13.0, "temperature": 21})

    assert {field: p.code for field, p in problems.items()} == {
        "temperature": "unknown_field",
        "api_kg": "above_max",
    }


def test_every_checklist_item_must_be_ticked() -> None:
    checklist = Step.model_validate(
        {
            "id": "clearance",
            "title": "Line clearance",
            "kind": "checklist",
            "inputs": [
                {"name": "room_clear", "label": "Room clear", "type": "boolean"},
                {"name": "label_valid", "label": "Label valid", "type": "boolean"},
            ],
        }
    )

    problems = rejected(checklist, {"room_clear": True, "label_valid": False})

    assert problems == {
        "label_valid": FieldProblem(
            "label_valid", "must_be_checked", "must be ticked: Label valid", False
        )
    }
    assert evaluate_step(checklist, {"room_clear": True, "label_valid": True}, {}).alerts == []


def test_calculations_use_context_own_values_and_earlier_results_rounded() -> None:
    outcome = evaluate_step(YIELD, {"output_kg": 12.1}, CONTEXT)

    assert outcome.values == {"output_kg": 12.1}
    assert outcome.calculated == {"net_kg": pytest.approx(11.6), "yield_pct": 96.7}
    assert outcome.alerts == []


def test_calculation_in_the_alert_band_needs_a_comment_and_raises_an_alert() -> None:
    problems = rejected(YIELD, {"output_kg": 11.8})
    outcome = evaluate_step(YIELD, {"output_kg": 11.8}, CONTEXT, comment="Losses in the mill")

    assert problems["comment"].message.endswith("alert limits: Yield")
    assert outcome.alerts == [
        Alert(
            "yield_pct",
            94.2,
            "94.2 % is below the alert limit 96 %",
            {"alert_min": 96.0},
            "critical",
        )
    ]


def test_calculation_outside_hard_limits_is_rejected() -> None:
    problems = rejected(YIELD, {"output_kg": 12.6})

    assert problems == {
        "yield_pct": FieldProblem(
            "yield_pct",
            "above_max",
            "100.8 % is above the maximum 100.5 %",
            100.8,
            {"min": 90.0, "max": 100.5},
        )
    }


def test_calculation_that_cannot_be_evaluated_is_rejected() -> None:
    problems = rejected(YIELD, {"output_kg": 12.1}, context={"batch_size_kg": 0, "tare_kg": 0.5})

    assert problems["yield_pct"].code == "calculation_failed"
    assert "division by zero" in problems["yield_pct"].message


def test_calculations_are_skipped_while_inputs_have_problems() -> None:
    problems = rejected(YIELD, {"output_kg": "12.1"}, context={})

    assert list(problems) == ["output_kg"]


@pytest.mark.parametrize(("lod_pct", "applicable"), [(2.4, True), (1.6, False)])
def test_when_condition_decides_whether_a_step_applies(lod_pct: float, applicable: bool) -> None:
    redry = Step.model_validate(
        {"id": "redry", "title": "Dry again", "kind": "instruction", "when": "lod_pct > 2.0"}
    )

    assert is_applicable(redry, {"lod_pct": lod_pct}) is applicable


def test_step_without_condition_always_applies() -> None:
    assert is_applicable(WEIGH, {}) is True


def test_condition_that_cannot_be_evaluated_or_is_not_boolean_fails() -> None:
    step = Step.model_validate({"id": "s", "title": "S", "kind": "instruction", "when": "lod_pct"})

    with pytest.raises(ExpressionFailed, match="no value for lod_pct"):
        is_applicable(step, {})
    with pytest.raises(ExpressionFailed, match="not true or false"):
        is_applicable(step, {"lod_pct": 2.4})


BATCH_SIZE = Parameter(
    name="batch_size_kg", label="Batch size", unit="kg", default=12.0, limits=Limits(min=6, max=12)
)
PRODUCT = Parameter(name="campaign", label="Campaign", type="text")


def test_parameters_take_given_values_and_defaults() -> None:
    assert check_parameters([BATCH_SIZE, PRODUCT], {"campaign": "C1"}) == {
        "batch_size_kg": 12.0,
        "campaign": "C1",
    }
    assert (
        check_parameters([BATCH_SIZE, PRODUCT], {"batch_size_kg": 6, "campaign": "C1"})[
            "batch_size_kg"
        ]
        == 6
    )


def test_parameters_out_of_limits_missing_or_unknown_are_rejected() -> None:
    with pytest.raises(ParametersRejected) as info:
        check_parameters([BATCH_SIZE, PRODUCT], {"batch_size_kg": 15, "size": 1})

    assert {(p.field, p.code) for p in info.value.problems} == {
        ("size", "unknown_field"),
        ("batch_size_kg", "above_max"),
        ("campaign", "required"),
    }


HOLD = Hold(after="blend_start", min_minutes=3, max_minutes=5)
START = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("elapsed", "state"),
    [
        (timedelta(minutes=2, seconds=59), "too_early"),
        (timedelta(minutes=3), "ok"),
        (timedelta(minutes=5), "ok"),
        (timedelta(minutes=5, seconds=1), "exceeded"),
    ],
)
def test_hold_status_is_too_early_ok_or_exceeded(elapsed: timedelta, state: str) -> None:
    status = hold_status(HOLD, START, START + elapsed)

    assert status.state == state
    assert status.earliest == START + timedelta(minutes=3)
    assert status.latest == START + timedelta(minutes=5)


def test_hold_without_maximum_is_never_exceeded() -> None:
    status = hold_status(Hold(after="a", min_minutes=45), START, START + timedelta(days=3))

    assert (status.state, status.latest) == ("ok", None)


def test_hold_status_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        hold_status(HOLD, START.replace(tzinfo=None), START)
    with pytest.raises(ValueError, match="timezone-aware"):
        hold_status(HOLD, START, START.replace(tzinfo=None))

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from procedures.loader import load_procedure_file, sample_procedure_files
from procedures.model import Hold, Input, Limits, Parameter, Procedure, Step


def errors_of(model: type, data: dict[str, Any]) -> dict[str, str]:
    """Validation errors as `{"dotted.loc": message}`."""
    with pytest.raises(ValidationError) as info:
        model.model_validate(data)
    return {".".join(map(str, e["loc"])): e["msg"] for e in info.value.errors()}


def step_data(kind: str, **fields: Any) -> dict[str, Any]:
    return {"id": "s", "title": "S", "kind": kind, **fields}


NUMBER = {"name": "v", "label": "V", "type": "number"}
BOOLEAN = {"name": "ok", "label": "OK", "type": "boolean"}


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ({"min": 5, "alert_min": 4}, "alert_min must not be below min"),
        ({"alert_min": 5, "alert_max": 4}, "alert_max must not be below alert_min"),
        ({"alert_max": 7, "max": 6}, "max must not be below alert_max"),
        ({"min": 7, "max": 6}, "max must not be below min"),
        ({"min": 1, "alert_max": 0.5}, "alert_max must not be below min"),
        ({}, "give at least one of min, max, alert_min, alert_max"),
    ],
)
def test_limits_must_be_ordered_and_not_empty(limits: dict[str, float], message: str) -> None:
    assert errors_of(Limits, limits) == {"": f"Value error, {message}"}


def test_limits_report_which_bound_a_value_breaks() -> None:
    limits = Limits(min=1, alert_min=2, alert_max=3, max=4)

    assert [limits.hard_breach(v) for v in (0.5, 1, 4, 4.5)] == ["below", None, None, "above"]
    assert [limits.alert_breach(v) for v in (1.5, 2, 3, 3.5)] == ["below", None, None, "above"]
    assert limits.hard() == {"min": 1, "max": 4}
    assert Limits(alert_max=3).alert() == {"alert_max": 3}


def test_limits_reject_non_finite_numbers() -> None:
    assert "min" in errors_of(Limits, {"min": float("nan")})


@pytest.mark.parametrize(
    ("data", "loc", "message"),
    [
        (
            {**NUMBER, "type": "text", "limits": {"max": 1}},
            "limits",
            "only allowed on number inputs",
        ),
        ({**NUMBER, "type": "text", "unit": "kg"}, "unit", "only allowed on number inputs"),
        ({**NUMBER, "type": "choice"}, "choices", "'choices' is required on choice inputs"),
        ({**NUMBER, "choices": ["a"]}, "choices", "only allowed on choice inputs"),
        ({**NUMBER, "type": "choice", "choices": ["a", "a"]}, "choices", "must be unique"),
        ({**NUMBER, "type": "scan"}, "expects", "'expects' is required on scan inputs"),
        ({**NUMBER, "expects": {"kind": "material", "material": "M"}}, "expects", "scan inputs"),
        (
            {**NUMBER, "type": "scan", "expects": {"kind": "equipment"}},
            "expects.type",
            "'type' is required on equipment expectations",
        ),
        ({**NUMBER, "name": "Weight"}, "name", "should match pattern"),
        ({**NUMBER, "name": "max"}, "name", "'max' is reserved in expressions"),
        ({**NUMBER, "name": "if"}, "name", "'if' is reserved in expressions"),
        ({**NUMBER, "deviation_severity": "huge"}, "deviation_severity", "'critical'"),
    ],
)
def test_input_fields_must_fit_its_type(data: dict[str, Any], loc: str, message: str) -> None:
    errors = errors_of(Input, data)

    assert message in errors[loc]


def test_input_serialises_to_a_superset_of_the_contract_shape() -> None:
    item = Input.model_validate({**NUMBER, "unit": "kg", "limits": {"min": 1, "alert_max": 2}})

    assert item.model_dump(mode="json", exclude_none=True) == {
        "name": "v",
        "label": "V",
        "type": "number",
        "unit": "kg",
        "required": True,
        "limits": {"min": 1.0, "alert_max": 2.0, "blocking": False},
        "deviation_severity": "minor",
        "cqa": False,
    }


@pytest.mark.parametrize(
    ("data", "loc", "message"),
    [
        (step_data("instruction", inputs=[NUMBER]), "inputs", "takes no inputs"),
        (step_data("data_entry"), "inputs", "a data_entry step needs at least one input"),
        (step_data("checklist"), "inputs", "needs at least one boolean input"),
        (step_data("checklist", inputs=[BOOLEAN, NUMBER]), "inputs.1.type", "must be boolean"),
        (
            step_data("checklist", inputs=[{**BOOLEAN, "required": False}]),
            "inputs.0.required",
            "checklist items are always required",
        ),
        (step_data("scan", inputs=[NUMBER]), "inputs", "needs at least one scan input"),
        (step_data("photo", inputs=[NUMBER]), "inputs", "needs at least one photo input"),
        (
            step_data("calculation"),
            "calculations",
            "'calculations' is required on calculation steps",
        ),
        (
            step_data(
                "data_entry",
                inputs=[NUMBER],
                calculations=[{"name": "c", "label": "C", "expression": "v"}],
            ),
            "calculations",
            "only allowed on calculation steps",
        ),
        (step_data("timer"), "hold", "'hold' is required on timer steps"),
        (step_data("instruction", hold={"after": "a", "min_minutes": 1}), "hold", "timer steps"),
        (step_data("verification"), "verifies", "'verifies' is required on verification steps"),
        (step_data("instruction", verifies="a"), "verifies", "verification steps"),
        (step_data("instruction", roles=[]), "roles", "at least 1 item"),
        (step_data("instruction", when="a.b"), "when", "attribute access is not allowed"),
        (step_data("instruction", signature="approved"), "signature", "'performed'"),
    ],
)
def test_step_structure_must_fit_its_kind(data: dict[str, Any], loc: str, message: str) -> None:
    errors = errors_of(Step, data)

    assert message in errors[loc]


def test_hold_needs_a_bound_and_ordered_minutes() -> None:
    assert "give min_minutes, max_minutes or both" in errors_of(Hold, {"after": "a"})[""]
    assert (
        "must not be below"
        in errors_of(Hold, {"after": "a", "min_minutes": 5, "max_minutes": 3})[""]
    )
    assert "min_minutes" in errors_of(Hold, {"after": "a", "min_minutes": -1})


@pytest.mark.parametrize(
    ("data", "loc", "message"),
    [
        ({"type": "text", "default": 12.0}, "default", "the default must be a text"),
        ({"default": "twelve"}, "default", "the default must be a number"),
        ({"default": 20, "limits": {"max": 12}}, "default", "outside the limits"),
        ({"limits": {"alert_max": 12}}, "limits", "hard limits (min, max) only"),
        ({"type": "text", "unit": "kg"}, "unit", "number parameters"),
    ],
)
def test_parameter_default_and_limits_must_fit_its_type(
    data: dict[str, Any], loc: str, message: str
) -> None:
    errors = errors_of(Parameter, {"name": "batch_size_kg", "label": "Batch size", **data})

    assert message in errors[loc]


def test_models_are_frozen_and_forbid_unknown_fields() -> None:
    step = Step.model_validate(step_data("instruction"))

    with pytest.raises(ValidationError):
        step.title = "Other"  # type: ignore[misc]
    assert errors_of(Step, step_data("instruction", colour="red")) == {
        "colour": "Extra inputs are not permitted"
    }


def test_procedure_finds_steps_in_order_and_their_operations() -> None:
    procedure = load_procedure_file(sample_procedure_files()[0])
    steps = procedure.steps()
    last = procedure.operations[-1]

    assert [s.id for s in steps] == [s.id for o in procedure.operations for s in o.steps]
    assert procedure.step(last.steps[0].id) is last.steps[0]
    assert procedure.operation_of(last.steps[-1].id) is last
    with pytest.raises(KeyError):
        procedure.step("no_such_step")
    with pytest.raises(KeyError):
        procedure.operation_of("no_such_step")


@pytest.mark.parametrize("path", sample_procedure_files(), ids=lambda p: p.name)
def test_procedure_survives_a_json_round_trip(path: Path) -> None:
    procedure = load_procedure_file(path)

    assert Procedure.model_validate(procedure.model_dump(mode="json")) == procedure
    again = Procedure.model_validate(procedure.model_dump(mode="json", exclude_none=True))
    assert again == procedure


def test_cqa_marks_number_inputs_and_calculations_as_outcomes() -> None:
    assert Input.model_validate({**NUMBER, "cqa": True}).cqa
    assert not Input.model_validate(NUMBER).cqa


def test_cqa_on_a_text_input_is_refused_at_its_field() -> None:
    with pytest.raises(ValidationError) as caught:
        Input.model_validate({"name": "t", "label": "T", "type": "text", "cqa": True})

    assert [error["loc"] for error in caught.value.errors()] == [("cqa",)]

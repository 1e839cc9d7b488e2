"""Guardrails: checking a proposed step completion against the procedure before it is recorded.

Hard limits and malformed values refuse the completion (StepRejected, every problem at once);
values in the alert band are accepted as Alerts, with a mandatory comment, and open deviations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from procedures.exceptions import ExpressionFailed, ParametersRejected, StepRejected
from procedures.expressions import parse_expression
from procedures.model import Calculation, Hold, Input, Parameter, Severity, Step


@dataclass(frozen=True)
class FieldProblem:
    """Why a value cannot be accepted; `limit` holds the bounds or choices it broke."""

    field: str
    code: str
    message: str
    value: object = None
    limit: dict[str, Any] | None = None


@dataclass(frozen=True)
class Alert:
    """A value within the hard limits but outside the alert limits: it opens a deviation."""

    field: str
    value: float
    message: str
    limit: dict[str, Any]
    severity: Severity


@dataclass(frozen=True)
class StepOutcome:
    """The accepted values of a completion, what was calculated from them, and any alerts."""

    values: dict[str, object]
    calculated: dict[str, float]
    alerts: list[Alert]


@dataclass(frozen=True)
class HoldStatus:
    """Where `now` falls in a hold window; `earliest`/`latest` are None when unbounded."""

    state: Literal["too_early", "ok", "exceeded"]
    earliest: datetime | None
    latest: datetime | None


def evaluate_step(
    step: Step,
    proposed: Mapping[str, object],
    context: Mapping[str, object],
    comment: str | None = None,
) -> StepOutcome:
    """Check proposed input values, then compute the step's calculations.

    `context` holds the batch parameters and values recorded by earlier steps. Calculations
    run only when every input is acceptable. Raises StepRejected listing every problem.
    """
    known = {item.name for item in step.inputs}
    problems = [
        FieldProblem(name, "unknown_field", "this step has no such field", value)
        for name, value in proposed.items()
        if name not in known
    ]
    values: dict[str, object] = {}
    alerts: list[Alert] = []
    for item in step.inputs:
        value = proposed.get(item.name)
        problem = _value_problem(item, value)
        if problem is None and step.kind == "checklist" and value is not True:
            problem = FieldProblem(
                item.name, "must_be_checked", f"must be ticked: {item.label}", value
            )
        if problem:
            problems.append(problem)
        elif not _absent(value):
            values[item.name] = value
            alerts += _alerts(item, value)
    calculated: dict[str, float] = {}
    if not problems:
        for calculation in step.calculations:
            result = _calculate(calculation, {**context, **values, **calculated})
            if isinstance(result, FieldProblem):
                problems.append(result)
                continue
            calculated[calculation.name] = result
            problem = _limit_problem(calculation, result)
            if problem:
                problems.append(problem)
            else:
                alerts += _alerts(calculation, result)
    if alerts and not (comment and comment.strip()):
        problems.append(_comment_required(step, alerts))
    if problems:
        raise StepRejected(problems)
    return StepOutcome(values, calculated, alerts)


def is_applicable(step: Step, context: Mapping[str, object]) -> bool:
    """Whether the step's `when` condition holds (no condition: always); else it is skipped."""
    if step.when is None:
        return True
    result = parse_expression(step.when).evaluate(context)
    if not isinstance(result, bool):
        raise ExpressionFailed(step.when, f"the condition gave {result!r}, not true or false")
    return result


def check_parameters(
    parameters: Sequence[Parameter], given: Mapping[str, object]
) -> dict[str, object]:
    """The batch parameters with defaults filled in; raises ParametersRejected on problems."""
    known = {parameter.name for parameter in parameters}
    problems = [
        FieldProblem(name, "unknown_field", "the procedure has no such parameter", value)
        for name, value in given.items()
        if name not in known
    ]
    values: dict[str, object] = {}
    for parameter in parameters:
        value = given.get(parameter.name)
        value = parameter.default if _absent(value) else value
        problem = _value_problem(parameter, value)
        if problem:
            problems.append(problem)
        else:
            values[parameter.name] = value
    if problems:
        raise ParametersRejected(problems)
    return values


def hold_status(hold: Hold, since: datetime, now: datetime) -> HoldStatus:
    """Whether `now` is too early, within, or past the hold window opened at `since`."""
    if since.tzinfo is None or now.tzinfo is None:
        raise ValueError("hold times must be timezone-aware")
    earliest = None if hold.min_minutes is None else since + timedelta(minutes=hold.min_minutes)
    latest = None if hold.max_minutes is None else since + timedelta(minutes=hold.max_minutes)
    if earliest is not None and now < earliest:
        return HoldStatus("too_early", earliest, latest)
    if latest is not None and now > latest:
        return HoldStatus("exceeded", earliest, latest)
    return HoldStatus("ok", earliest, latest)


def _absent(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number(value: object) -> float | None:
    """`value` as a finite float, if it is an int or float (and not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _value_problem(spec: Input | Parameter, value: object) -> FieldProblem | None:
    """Absence, type and hard limits: the checks step inputs and batch parameters share."""
    if _absent(value):
        if isinstance(spec, Input) and not spec.required:
            return None
        return FieldProblem(spec.name, "required", f"{spec.label} is required")
    if spec.type == "number":
        number = _number(value)
        if number is None:
            return FieldProblem(spec.name, "wrong_type", "must be a finite number", value)
        return _limit_problem(spec, number)
    if spec.type == "boolean" and not isinstance(value, bool):
        return FieldProblem(spec.name, "wrong_type", "must be true or false", value)
    if isinstance(spec, Input) and spec.choices is not None and value not in spec.choices:
        message = f"must be one of: {', '.join(spec.choices)}"
        return FieldProblem(spec.name, "not_a_choice", message, value, {"choices": spec.choices})
    if spec.type in ("text", "scan", "photo") and not isinstance(value, str):
        return FieldProblem(spec.name, "wrong_type", "must be text", value)
    return None


def _limit_problem(spec: Input | Parameter | Calculation, value: float) -> FieldProblem | None:
    """A problem if `value` is outside the hard limits of `spec`."""
    limits = spec.limits
    side = limits.hard_breach(value) if limits else None
    if limits is None or side is None:
        return None
    if side == "below":
        code, message = "below_min", _beyond(value, "below the minimum", limits.min, spec.unit)
    else:
        code, message = "above_max", _beyond(value, "above the maximum", limits.max, spec.unit)
    return FieldProblem(spec.name, code, message, value, limits.hard())


def _alerts(spec: Input | Calculation, value: object) -> list[Alert]:
    """The alert (zero or one) for a value outside the alert limits of `spec`."""
    limits, number = spec.limits, _number(value)
    side = limits.alert_breach(number) if limits and number is not None else None
    if limits is None or number is None or side is None:
        return []
    bound = limits.alert_min if side == "below" else limits.alert_max
    message = _beyond(number, f"{side} the alert limit", bound, spec.unit)
    return [Alert(spec.name, number, message, limits.alert(), spec.deviation_severity)]


def _calculate(calculation: Calculation, context: Mapping[str, object]) -> float | FieldProblem:
    """The calculation's result, rounded to its decimals, or why it could not be had."""
    try:
        result = parse_expression(calculation.expression).evaluate(context)
    except ExpressionFailed as exc:
        message = f"cannot calculate {calculation.label}: {exc.message}"
        return FieldProblem(calculation.name, "calculation_failed", message)
    number = _number(result)
    if number is None:
        message = f"{calculation.label} gave {result!r}, not a finite number"
        return FieldProblem(calculation.name, "calculation_failed", message, result)
    return number if calculation.decimals is None else round(number, calculation.decimals)


def _comment_required(step: Step, alerts: list[Alert]) -> FieldProblem:
    labels = {spec.name: spec.label for spec in (*step.inputs, *step.calculations)}
    outside = ", ".join(labels[alert.field] for alert in alerts)
    message = f"a comment must justify the values outside the alert limits: {outside}"
    return FieldProblem("comment", "comment_required", message)


def _beyond(value: float, relation: str, bound: float | None, unit: str | None) -> str:
    """Such as `12.9 kg is above the maximum 12.6 kg`."""
    return f"{_quantity(value, unit)} is {relation} {_quantity(bound, unit)}"


def _quantity(value: float | None, unit: str | None) -> str:
    text = format(value, ".10g")
    return f"{text} {unit}" if unit else text

"""Cross-references in a procedure: unique ids and names, and nothing used before it exists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from procedures.expressions import parse_expression
from procedures.locations import Issue, Loc, format_path

if TYPE_CHECKING:
    from procedures.model import Procedure, Step


def check_references(procedure: Procedure) -> list[Issue]:
    """Find clashing ids or value names, and references to steps or values not defined earlier.

    A `when` condition may read the batch parameters and values of earlier steps; a calculation
    may also read its own step's inputs and the calculations listed before it.
    """
    all_values = _value_locations(procedure)
    all_steps = {step.id for step in procedure.steps()}
    issues: list[Issue] = []
    operations: dict[str, Loc] = {}
    steps: dict[str, Loc] = {}
    values: dict[str, Loc] = {}
    for index, parameter in enumerate(procedure.parameters):
        issues += _claim(values, parameter.name, ("parameters", index, "name"), "value name")
    for op_index, operation in enumerate(procedure.operations):
        op_loc: Loc = ("operations", op_index)
        issues += _claim(operations, operation.id, (*op_loc, "id"), "operation id")
        for step_index, step in enumerate(operation.steps):
            loc: Loc = (*op_loc, "steps", step_index)
            issues += _step_references(step, loc, steps, all_steps)
            if step.when is not None:
                issues += _undefined_names(step.when, (*loc, "when"), values, all_values)
            issues += _claim(steps, step.id, (*loc, "id"), "step id")
            for index, item in enumerate(step.inputs):
                issues += _claim(values, item.name, (*loc, "inputs", index, "name"), "value name")
            if step.dispense is not None:
                where = (*loc, "dispense", "target")
                issues += _undefined_names(step.dispense.target, where, values, all_values)
                for name in step.dispense.value_names():
                    issues += _claim(values, name, (*loc, "dispense", "name"), "value name")
            for index, calculation in enumerate(step.calculations):
                calc_loc: Loc = (*loc, "calculations", index)
                text, where = calculation.expression, (*calc_loc, "expression")
                issues += _undefined_names(text, where, values, all_values)
                issues += _claim(values, calculation.name, (*calc_loc, "name"), "value name")
    return issues


def _value_locations(procedure: Procedure) -> dict[str, Loc]:
    """Where each value name is first defined, for messages about names used too early."""
    found: dict[str, Loc] = {}
    for index, parameter in enumerate(procedure.parameters):
        found.setdefault(parameter.name, ("parameters", index))
    for op_index, operation in enumerate(procedure.operations):
        for step_index, step in enumerate(operation.steps):
            loc: Loc = ("operations", op_index, "steps", step_index)
            for index, item in enumerate(step.inputs):
                found.setdefault(item.name, (*loc, "inputs", index))
            if step.dispense is not None:
                for name in step.dispense.value_names():
                    found.setdefault(name, (*loc, "dispense"))
            for index, calculation in enumerate(step.calculations):
                found.setdefault(calculation.name, (*loc, "calculations", index))
    return found


def _claim(seen: dict[str, Loc], key: str, loc: Loc, what: str) -> list[Issue]:
    """Record `key` as used at `loc`, or report that it already was."""
    if key in seen:
        return [(loc, f"duplicate {what} {key!r}, already used at {format_path(seen[key])}")]
    seen[key] = loc
    return []


def _step_references(
    step: Step, loc: Loc, earlier: Mapping[str, Loc], all_steps: set[str]
) -> list[Issue]:
    """`hold.after` and `verifies` must name a step that comes before this one."""
    references = {("hold", "after"): step.hold and step.hold.after, ("verifies",): step.verifies}
    issues: list[Issue] = []
    for field, target in references.items():
        if not target or target in earlier:
            continue
        if target == step.id:
            message = "must refer to an earlier step, not to this step itself"
        elif target in all_steps:
            message = f"step {target!r} comes later; refer to an earlier step"
        else:
            message = f"there is no step {target!r}"
        issues.append(((*loc, *field), message))
    return issues


def _undefined_names(
    text: str, loc: Loc, defined: Mapping[str, Loc], all_values: Mapping[str, Loc]
) -> list[Issue]:
    """Names an expression reads that are not defined by the time it is evaluated."""
    issues: list[Issue] = []
    for name in sorted(parse_expression(text).names - defined.keys()):
        if name in all_values:
            where = format_path(all_values[name])
            message = f"{name!r} is not known yet here: it is recorded at {where}"
        else:
            message = f"{name!r} is not defined"
        issues.append((loc, message))
    return issues

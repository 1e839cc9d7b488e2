"""Dispense steps: targets scaled by the batch, tolerance windows, units, file validation."""

from decimal import Decimal

import pytest

from procedures.dispensing import check_net, convert, dispense_target
from procedures.exceptions import StepRejected

DISPENSE = """
key: d
title: D
parameters:
  - {name: batch_size_kg, label: Batch size, unit: kg, default: 12.0}
operations:
  - id: op
    title: Op
    steps:
      - id: weigh
        title: Weigh
        kind: dispense
        dispense: {material: EXC-0101, name: mcc_kg, target: batch_size_kg * 0.49, unit: kg,
                   tolerance_percent: 1.0, decimals: 3}
      - id: total
        title: Total
        kind: calculation
        calculations:
          - {name: pct, label: Pct, expression: mcc_kg / batch_size_kg * 100}
"""


def test_target_scales_with_the_batch_and_tolerance_gives_the_window(load_yaml) -> None:
    dispense = load_yaml(DISPENSE).step("weigh").dispense

    target = dispense_target(dispense, {"batch_size_kg": 12.0})

    assert (target.quantity, target.low, target.high) == (
        Decimal("5.880"),
        Decimal("5.821"),
        Decimal("5.939"),
    )
    assert dispense_target(dispense, {"batch_size_kg": 6.0}).quantity == Decimal("2.940")


def test_net_outside_the_window_is_a_problem_naming_target_and_tolerance(load_yaml) -> None:
    dispense = load_yaml(DISPENSE).step("weigh").dispense
    target = dispense_target(dispense, {"batch_size_kg": 12.0})

    assert check_net(dispense, target, Decimal("5.900")) is None
    problem = check_net(dispense, target, Decimal("5.950"))

    assert problem is not None
    assert (problem.field, problem.code) == ("mcc_kg", "above_max")
    assert "5.950 kg is above the tolerance: target 5.880 kg ± 1.0 %" in problem.message


def test_a_target_that_cannot_be_computed_rejects_the_step(load_yaml) -> None:
    dispense = load_yaml(DISPENSE).step("weigh").dispense

    with pytest.raises(StepRejected) as info:
        dispense_target(dispense, {"batch_size_kg": 0.0})

    assert info.value.problems[0].code == "target_failed"


def test_units_convert_exactly() -> None:
    assert convert(Decimal("2500"), "g", "kg") == Decimal("2.5")
    assert convert(Decimal("0.25"), "kg", "mg") == Decimal("250000")
    with pytest.raises(ValueError):
        convert(Decimal(1), "lb", "kg")


def test_dispense_value_names_are_claimed_and_usable_later(load_yaml) -> None:
    step = load_yaml(DISPENSE).step("weigh")

    assert step.dispense.value_names() == (
        "mcc_kg",
        "mcc_kg_balance",
        "mcc_kg_lot",
        "mcc_kg_container",
    )


def test_dispense_block_is_required_on_dispense_steps_only(issues_of) -> None:
    issues = issues_of(DISPENSE.replace("kind: dispense", "kind: instruction"))

    assert any("'dispense' is only allowed on dispense steps" in i.message for i in issues)


def test_dispense_target_must_use_known_names(issues_of) -> None:
    issues = issues_of(DISPENSE.replace("batch_size_kg * 0.49", "batch_kg * 0.49"))

    assert [(i.path, i.message) for i in issues] == [
        ("operations[0].steps[0].dispense.target", "'batch_kg' is not defined")
    ]

"""Weigh & dispense rules: the target a batch must weigh to, its tolerance, and units."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from procedures.exceptions import ExpressionFailed, StepRejected
from procedures.expressions import parse_expression
from procedures.guardrails import FieldProblem
from procedures.model import Dispense

_GRAMS = {"mg": Decimal("0.001"), "g": Decimal(1), "kg": Decimal(1000)}


@dataclass(frozen=True)
class DispenseTarget:
    """The quantity to dispense and the window (target ± tolerance) a net weight must fall in."""

    quantity: Decimal
    low: Decimal
    high: Decimal
    unit: str

    def to_json(self) -> dict[str, object]:
        return {
            "quantity": float(self.quantity),
            "low": float(self.low),
            "high": float(self.high),
            "unit": self.unit,
        }


def dispense_target(dispense: Dispense, context: Mapping[str, object]) -> DispenseTarget:
    """The target of `dispense` for a batch whose parameters and values are `context`.

    Raises StepRejected when the target cannot be computed or is not a positive quantity.
    """
    try:
        result = parse_expression(dispense.target).evaluate(context)
    except ExpressionFailed as exc:
        raise StepRejected(
            [FieldProblem(dispense.name, "target_failed", f"cannot compute the target: {exc}")]
        ) from exc
    if isinstance(result, bool) or not isinstance(result, int | float) or result <= 0:
        message = f"the target {dispense.target} gave {result!r}, not a positive quantity"
        raise StepRejected([FieldProblem(dispense.name, "target_failed", message)])
    quantity = _rounded(Decimal(str(result)), dispense)
    margin = quantity * Decimal(str(dispense.tolerance_percent)) / 100
    return DispenseTarget(
        quantity,
        _rounded(quantity - margin, dispense),
        _rounded(quantity + margin, dispense),
        dispense.unit,
    )


def check_net(dispense: Dispense, target: DispenseTarget, net: Decimal) -> FieldProblem | None:
    """A problem if the net quantity is outside target ± tolerance (blocks, like a hard limit)."""
    if target.low <= net <= target.high:
        return None
    side = "below" if net < target.low else "above"
    message = (
        f"{net} {target.unit} is {side} the tolerance: target {target.quantity} {target.unit} "
        f"± {dispense.tolerance_percent} % allows {target.low} to {target.high} {target.unit}"
    )
    code = "below_min" if side == "below" else "above_max"
    limit = {"min": float(target.low), "max": float(target.high)}
    return FieldProblem(dispense.name, code, message, float(net), limit)


def convert(quantity: Decimal, unit: str, to_unit: str) -> Decimal:
    """`quantity` in `unit` expressed in `to_unit` (mg, g, kg); ValueError for other units."""
    if unit not in _GRAMS or to_unit not in _GRAMS:
        raise ValueError(f"cannot convert {unit!r} to {to_unit!r}")
    return quantity * _GRAMS[unit] / _GRAMS[to_unit]


def _rounded(value: Decimal, dispense: Dispense) -> Decimal:
    return value if dispense.decimals is None else round(value, dispense.decimals)

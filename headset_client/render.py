"""What the operator sees and hears of a step: short lines, limits with units. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from headset_client.projection import BatchState, StepState
from headset_client.step_media import media_lines
from procedures.model import Hold, Input, Limits
from procedures.states import StepStatus

_STATE_WORDS = {
    StepStatus.PENDING: "to do",
    StepStatus.ACTIVE: "ACTIVE",
    StepStatus.COMPLETED: "done",
    StepStatus.SKIPPED: "skipped",
}


def describe_step(
    batch: BatchState,
    state: StepState,
    drafts: Mapping[str, Any],
    comment: str | None = None,
) -> list[str]:
    """The step in view: title, state, instruction, each input with unit, limits and value."""
    step = state.step
    position = batch.index_of(step.id) + 1
    status = "waiting for the server" if state.submitted else _STATE_WORDS[state.state]
    if state.state == StepStatus.COMPLETED:
        who = state.performer or "?"
        status = f"done by {who}" + (" (not yet sent)" if state.local else "")
    lines = [f"[{batch.batch_number}] step {position}/{len(batch.steps)}: {step.title} ({status})"]
    if step.instruction:
        lines.append(f"  {step.instruction.strip()}")
    lines += media_lines(step)
    shown = state.values if state.state == StepStatus.COMPLETED else drafts
    for item in step.inputs:
        lines.append(f"  - {describe_input(item)}{_said(shown.get(item.name))}")
    if step.dispense is not None:
        dispense = step.dispense
        lines.append(f"  - dispense {dispense.material}: scan balance and lot, then confirm")
    for calculation in step.calculations:
        value = state.calculated.get(calculation.name)
        unit = f" {calculation.unit}" if calculation.unit else ""
        limits = f" ({describe_limits(calculation.limits)})" if calculation.limits else ""
        result = f" = {value:g}{unit}" if isinstance(value, int | float) else ""
        lines.append(f"  = {calculation.label}{limits}{result}")
    if step.kind == "verification":
        lines.append(f"  verify step {step.verifies!r}: 'verify USER' with a second person")
    if step.signature and state.state == StepStatus.ACTIVE:
        lines.append("  needs your e-signature: say 'sign'")
    if step.hold is not None:
        lines.append(f"  hold after {step.hold.after!r}: {describe_hold(step.hold)}")
    shown_comment = state.comment if state.state == StepStatus.COMPLETED else comment
    if shown_comment:
        lines.append(f"  comment: {shown_comment}")
    return lines


def hold_line(batch: BatchState) -> str | None:
    """What a held batch shows above everything else, or None when it is not held."""
    if batch.hold is None:
        return None
    return f"ON HOLD: {batch.hold} — waiting for approval"


def describe_input(item: Input) -> str:
    """`net_kg: Net weight [kg] 9-11, alert 9.5-10.5` and the like."""
    text = f"{item.name}: {item.label}"
    if item.unit:
        text += f" [{item.unit}]"
    if item.limits is not None:
        text += f" {describe_limits(item.limits)}"
    if item.choices:
        text += f" one of: {' | '.join(item.choices)}"
    if item.type in ("boolean", "scan", "photo"):
        text += f" ({item.type})"
    if not item.required:
        text += " (optional)"
    return text


def describe_limits(limits: Limits) -> str:
    hard = _range(limits.min, limits.max)
    alert = _range(limits.alert_min, limits.alert_max)
    parts = [f"limits {hard}" if hard else "", f"alert {alert}" if alert else ""]
    return ", ".join(part for part in parts if part)


def describe_hold(hold: Hold) -> str:
    parts = []
    if hold.min_minutes is not None:
        parts.append(f"at least {hold.min_minutes:g} min")
    if hold.max_minutes is not None:
        parts.append(f"at most {hold.max_minutes:g} min")
    return ", ".join(parts)


def _range(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return ""
    if low is None:
        return f"up to {high:g}"
    if high is None:
        return f"from {low:g}"
    return f"{low:g}-{high:g}"


def _said(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return " = yes" if value else " = no"
    return f" = {value}"

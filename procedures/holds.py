"""Blocking exceptions: whether a deviation puts its batch on hold, as the procedure says.

A procedure marks a limit, a step or a deviation kind as blocking; a blocking deviation
stops the batch at its step until continuation is approved (procedure.holds.approvals
approvals, never by the person who raised it).
"""

from __future__ import annotations

from procedures.model import Procedure


def is_blocking(procedure: Procedure, kind: str, step_id: str | None, field: str | None) -> bool:
    """Whether a deviation of `kind`, raised at `step_id` on `field`, holds the batch."""
    if kind in procedure.holds.kinds:
        return True
    if step_id is None:
        return False
    step = procedure.step(step_id)
    if step.blocking:
        return True
    if kind != "alert_limit" or field is None:
        return False
    limits = {item.name: item.limits for item in [*step.inputs, *step.calculations]}
    found = limits.get(field)
    return found is not None and found.blocking

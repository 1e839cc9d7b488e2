"""Whether a piece of equipment may be used in a step: pure rules, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.clock import isoformat
from server.equipment.models import Equipment


@dataclass(frozen=True)
class Unusable:
    """Why equipment may not be used: a stable `code` and a sentence for the operator."""

    code: str
    message: str


def describe(equipment: Equipment) -> str:
    """How messages name equipment: `Floor balance EQ-BAL-01`."""
    return f"{equipment.name} {equipment.code}"


def unusable(
    equipment: Equipment, expected_type: str, batch_id: str, now: datetime
) -> Unusable | None:
    """The first reason `equipment` may not serve a step of `batch_id` expecting that type."""
    if equipment.type != expected_type:
        return Unusable(
            "wrong_type", f"it is a {_words(equipment.type)}, not a {_words(expected_type)}"
        )
    if equipment.status == "maintenance":
        return Unusable("in_maintenance", "it is in maintenance")
    if equipment.status == "dirty":
        return Unusable("not_clean", "it is dirty; clean it and record the cleaning first")
    if equipment.status == "in_use" and equipment.in_use_by != batch_id:
        holder = equipment.in_use_by_batch
        batch = holder.batch_number if holder is not None else equipment.in_use_by
        return Unusable("in_use_elsewhere", f"it is in use by batch {batch}")
    if (
        equipment.status == "clean"
        and equipment.clean_until is not None
        and now > equipment.clean_until
    ):
        expired = isoformat(equipment.clean_until)
        return Unusable("clean_hold_expired", f"its clean-hold time expired at {expired}")
    if equipment.calibration_due is not None and now.date() > equipment.calibration_due:
        due = equipment.calibration_due.isoformat()
        return Unusable("calibration_overdue", f"its calibration was due on {due}")
    return None


def _words(identifier: str) -> str:
    return identifier.replace("_", " ")

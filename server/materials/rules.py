"""Whether a lot may be used in a step: pure rules, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from server.materials.models import Lot

# Refusals a supervisor may override with an e-signature (and a deviation). A wrong material,
# a rejected lot (or not enough left, see check_stock) are never overridable.
OVERRIDABLE = frozenset({"quarantined", "expired", "retest_due"})


@dataclass(frozen=True)
class Unusable:
    """Why a lot may not be used: a stable `code` and a sentence for the operator."""

    code: str
    message: str

    @property
    def overridable(self) -> bool:
        return self.code in OVERRIDABLE


def describe(lot: Lot) -> str:
    """How messages name a lot: `Lot L-MCC-2611 of Microcrystalline cellulose (EXC-0101)`."""
    return f"Lot {lot.lot_number} of {lot.material.name} ({lot.material.code})"


def unusable(lot: Lot, material_code: str, today: date) -> Unusable | None:
    """The first reason `lot` may not serve a step expecting `material_code`."""
    if lot.material.code != material_code:
        return Unusable(
            "wrong_material", f"it is {lot.material.code}, this step needs {material_code}"
        )
    if lot.status == "rejected":
        return Unusable("rejected", "the lot is rejected")
    if lot.status == "quarantine":
        return Unusable("quarantined", "the lot is in quarantine, not released by QA")
    if today > lot.expiry:
        return Unusable("expired", f"the lot expired on {lot.expiry.isoformat()}")
    if lot.retest_date is not None and today > lot.retest_date:
        return Unusable("retest_due", f"the lot was due for retest on {lot.retest_date}")
    return None

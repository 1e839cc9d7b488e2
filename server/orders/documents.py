"""What an ERP document asks for, whatever its format (JSON or B2MML): plain data the
services act on. Each item knows where it came from (`at`), so a refusal names it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

_GRAMS = {"mg": Decimal("0.001"), "g": Decimal(1), "kg": Decimal(1000)}


def in_unit(quantity: Decimal, unit: str, wanted: str) -> Decimal:
    """`quantity` `unit` expressed in `wanted` (mg, g, kg)."""
    return quantity * _GRAMS[unit] / _GRAMS[wanted]


def is_mass(unit: str | None) -> bool:
    return unit in _GRAMS


@dataclass(frozen=True)
class ReservationSpec:
    """A material the order reserves: `quantity` `unit` of it, from `lot` when allocated."""

    material: str
    quantity: Decimal
    unit: str
    lot: str | None = None


@dataclass(frozen=True)
class OrderSpec:
    """A production order: make `planned_quantity` `unit` of `product` as `batch_number`."""

    order_number: str
    product: str
    procedure: str
    planned_quantity: Decimal
    unit: str
    batch_number: str
    version: int | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    reservations: tuple[ReservationSpec, ...] = ()
    at: str = "order"
    # Where a field was read, when not at `{at}.{field}` (a B2MML element's path).
    paths: dict[str, str] = field(default_factory=dict)

    def path_of(self, name: str) -> str:
        """Where field `name` (`product`, `reservations.0.lot`) was read in the document."""
        return self.paths.get(name, f"{self.at}.{name}")

    def fingerprint(self) -> str:
        """The hash of what the order asks for (not of where it was read from)."""
        content = asdict(self)
        content.pop("at")
        content.pop("paths")
        text = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class MaterialSpec:
    """An entry of the material master."""

    code: str
    name: str
    unit: str = "kg"
    gtin: str | None = None
    at: str = "material"


@dataclass(frozen=True)
class LotSpec:
    """A lot received from a supplier, under the site's (ERP's) lot number."""

    lot_number: str
    material: str
    supplier: str
    supplier_lot: str
    quantity: Decimal
    expiry: date
    retest_date: date | None = None
    at: str = "lot"


@dataclass(frozen=True)
class MaterialInformation:
    """A material master and lot receipt message: materials first, then lots."""

    materials: tuple[MaterialSpec, ...] = ()
    lots: tuple[LotSpec, ...] = ()

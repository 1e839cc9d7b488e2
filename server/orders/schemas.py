"""Order and ERP import API shapes (JSON); B2MML documents are read by server.orders.b2mml."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from server.errors import UnsupportedMediaType
from server.materials.schemas import (
    CreateMaterialIn,
    Identifier,
    LotOut,
    MaterialOut,
    ReceiveLotIn,
    Unit,
)
from server.orders import b2mml
from server.orders.documents import (
    LotSpec,
    MaterialInformation,
    MaterialSpec,
    OrderSpec,
    ReservationSpec,
)
from server.orders.models import ProductionOrder
from server.orders.service import Imported
from server.web.body import load_json, parse_json
from server.web.schemas import Strict

Quantity = Field(gt=0, max_digits=18, decimal_places=6)


class ReservationIn(Strict):
    material: str = Field(min_length=1, max_length=64, description="Material code or GTIN.")
    lot: str | None = Field(default=None, max_length=20, description="The lot allocated.")
    quantity: Decimal = Quantity
    unit: Unit = "kg"


class OrderIn(Strict):
    order_number: str = Identifier
    product: str = Field(min_length=1, max_length=64, description="Material code or GTIN.")
    procedure: str = Field(min_length=1, max_length=100, description="Procedure key.")
    version: int | None = Field(None, ge=1, description="Absent: the approved one at start.")
    planned_quantity: Decimal = Quantity
    unit: Unit = "kg"
    batch_number: str = Identifier
    parameters: dict[str, Any] = Field(default_factory=dict)
    materials: list[ReservationIn] = Field(default_factory=list, max_length=100)

    def spec(self, at: str) -> OrderSpec:
        return OrderSpec(
            order_number=self.order_number,
            product=self.product,
            procedure=self.procedure,
            version=self.version,
            planned_quantity=self.planned_quantity,
            unit=self.unit,
            batch_number=self.batch_number,
            parameters=self.parameters,
            reservations=tuple(
                ReservationSpec(item.material, item.quantity, item.unit, item.lot)
                for item in self.materials
            ),
            at=at,
            paths={
                f"reservations.{n}.{name}": f"{at}.materials.{n}.{name}"
                for n in range(len(self.materials))
                for name in ("material", "lot")
            },
        )


class OrdersIn(Strict):
    """Several orders in one document (one order may also be sent alone, as OrderIn)."""

    orders: list[OrderIn] = Field(min_length=1, max_length=500)

    def specs(self) -> list[OrderSpec]:
        return [order.spec(f"orders.{n}") for n, order in enumerate(self.orders)]


class LotIn(ReceiveLotIn):
    """A received lot under the ERP's lot number (which makes a re-import recognisable)."""

    lot_number: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9-]+$")


class MaterialInformationIn(Strict):
    """The material master and received lots (materials are imported first)."""

    materials: list[CreateMaterialIn] = Field(default_factory=list, max_length=1000)
    lots: list[LotIn] = Field(default_factory=list, max_length=1000)

    def information(self) -> MaterialInformation:
        return MaterialInformation(
            materials=tuple(
                MaterialSpec(m.code, m.name, m.unit, m.gtin, f"materials.{n}")
                for n, m in enumerate(self.materials)
            ),
            lots=tuple(
                LotSpec(
                    lot.lot_number, lot.material, lot.supplier, lot.supplier_lot,
                    lot.quantity, lot.expiry, lot.retest_date, f"lots.{n}",
                )
                for n, lot in enumerate(self.lots)
            ),
        )  # fmt: skip


class ReservationOut(BaseModel):
    material: str
    lot_number: str | None
    quantity: Decimal
    unit: str


class OrderOut(BaseModel):
    id: str
    order_number: str
    product: str
    procedure: str
    version: int | None
    planned_quantity: Decimal
    unit: str
    batch_number: str
    parameters: dict[str, Any]
    materials: list[ReservationOut]
    status: str = Field(description="planned, started (its batch exists) or completed.")
    source: str = Field(description="json or b2mml")
    batch_id: str | None
    created_at: datetime
    started_at: datetime | None

    @classmethod
    def of(cls, order: ProductionOrder) -> OrderOut:
        return cls(
            id=order.id,
            order_number=order.order_number,
            product=order.product.code,
            procedure=order.procedure_key,
            version=order.procedure_version,
            planned_quantity=order.planned_quantity,
            unit=order.unit,
            batch_number=order.batch_number,
            parameters=order.parameters,
            materials=[
                ReservationOut(
                    material=r.material.code,
                    lot_number=r.lot.lot_number if r.lot else None,
                    quantity=r.quantity,
                    unit=r.unit,
                )
                for r in order.reservations
            ],
            status=order.status,
            source=order.source,
            batch_id=order.batch_id,
            created_at=order.created_at,
            started_at=order.started_at,
        )


class OrdersImportedOut(BaseModel):
    created: int = Field(description="Orders new to Stepwise.")
    unchanged: int = Field(description="Orders imported before with the same content.")
    orders: list[OrderOut]

    @classmethod
    def of(cls, imported: Imported) -> OrdersImportedOut:
        every = [*imported.created, *imported.unchanged]
        return cls(
            created=len(imported.created),
            unchanged=len(imported.unchanged),
            orders=[OrderOut.of(order) for order in every],
        )


class MaterialsImportedOut(BaseModel):
    materials_created: int
    materials_unchanged: int
    lots_created: int
    lots_unchanged: int
    materials: list[MaterialOut]
    lots: list[LotOut]

    @classmethod
    def of(cls, made: Imported, lots: Imported) -> MaterialsImportedOut:
        return cls(
            materials_created=len(made.created),
            materials_unchanged=len(made.unchanged),
            lots_created=len(lots.created),
            lots_unchanged=len(lots.unchanged),
            materials=[MaterialOut.of(m) for m in [*made.created, *made.unchanged]],
            lots=[LotOut.of(lot) for lot in [*lots.created, *lots.unchanged]],
        )


XML_TYPES = frozenset({"application/xml", "text/xml"})


def _is_xml(content_type: str) -> bool:
    if content_type in XML_TYPES or content_type.endswith("+xml"):
        return True
    if content_type != "application/json":
        raise UnsupportedMediaType(
            f"Send JSON (application/json) or B2MML (application/xml), not {content_type!r}."
        )
    return False


def read_orders(raw: bytes, content_type: str) -> tuple[list[OrderSpec], str]:
    """The orders of a JSON or B2MML (ProductionSchedule) document, and which it was."""
    if _is_xml(content_type):
        return b2mml.orders(raw), "b2mml"
    data = load_json(raw)
    if isinstance(data, dict) and "orders" in data:
        return parse_json(raw, content_type, OrdersIn).specs(), "json"
    return [parse_json(raw, content_type, OrderIn).spec("order")], "json"


def read_material_information(raw: bytes, content_type: str) -> MaterialInformation:
    """Materials and lots of a JSON or B2MML (MaterialInformation) document."""
    if _is_xml(content_type):
        return b2mml.material_information(raw)
    return parse_json(raw, content_type, MaterialInformationIn).information()

"""Material, lot and container API shapes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from server.materials.models import Container, Lot, Material
from server.web.schemas import SignatureIn, Strict

Unit = Literal["mg", "g", "kg"]
Identifier = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


class CreateMaterialIn(Strict):
    code: str = Identifier
    name: str = Field(min_length=1, max_length=200)
    gtin: str | None = Field(default=None, pattern=r"^\d{14}$", description="GTIN-14")
    unit: Unit = "kg"


class ReceiveLotIn(Strict):
    material: str = Field(min_length=1, max_length=64, description="Material code or GTIN.")
    supplier: str = Field(min_length=1, max_length=200)
    supplier_lot: str = Field(min_length=1, max_length=64)
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=6)
    expiry: date
    retest_date: date | None = None
    lot_number: str | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        pattern=r"^[A-Za-z0-9-]+$",
        description="Internal lot number; generated when absent.",
    )


class LotStatusIn(Strict):
    status: Literal["released", "rejected", "quarantine"]
    reason: str = Field(min_length=1, max_length=4000)
    signature: SignatureIn


class MaterialOut(BaseModel):
    id: str
    code: str
    name: str
    gtin: str | None
    unit: str

    @classmethod
    def of(cls, material: Material) -> MaterialOut:
        return cls.model_validate(material, from_attributes=True)


class LotOut(BaseModel):
    id: str
    lot_number: str
    material: MaterialOut
    supplier: str
    supplier_lot: str
    expiry: date
    retest_date: date | None
    status: str
    quantity: Decimal
    unit: str
    received_at: datetime

    @classmethod
    def of(cls, lot: Lot) -> LotOut:
        return cls.model_validate(lot, from_attributes=True)


class ContainerOut(BaseModel):
    id: str
    number: str
    lot_number: str
    material: str
    quantity: Decimal
    unit: str
    source: str
    batch_id: str
    step_id: str
    created_at: datetime

    @classmethod
    def of(cls, container: Container) -> ContainerOut:
        lot = container.lot
        return cls(
            id=container.id,
            number=container.number,
            lot_number=lot.lot_number,
            material=lot.material.code,
            quantity=container.quantity,
            unit=container.unit,
            source=container.source,
            batch_id=container.batch_id,
            step_id=container.step_id,
            created_at=container.created_at,
        )

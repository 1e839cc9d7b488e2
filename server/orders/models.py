"""Production orders from the ERP: what to make, by which procedure, and the lots reserved."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.base import Base
from server.ids import new_id
from server.materials.models import Lot, Material


class ProductionOrder(Base):
    """An ERP order: make `planned_quantity` of `product` as batch `batch_number` by the
    procedure `procedure_key` (at `procedure_version`, or the one approved at start).

    `fingerprint` is the hash of what was imported: the same order imported again is
    recognised and not doubled; a different order under the same number is refused.
    """

    __tablename__ = "production_orders"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_number: Mapped[str] = mapped_column(String(64), unique=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("materials.id"))
    procedure_key: Mapped[str] = mapped_column(String(100))
    procedure_version: Mapped[int | None]
    planned_quantity: Mapped[Decimal]
    unit: Mapped[str] = mapped_column(String(8))
    batch_number: Mapped[str] = mapped_column(String(64), unique=True)
    parameters: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))  # planned, started, completed
    source: Mapped[str] = mapped_column(String(16))  # json, b2mml
    fingerprint: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("batches.id"), unique=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None]
    started_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    product: Mapped[Material] = relationship(lazy="joined")
    reservations: Mapped[list[Reservation]] = relationship(
        order_by="Reservation.position", lazy="selectin"
    )


class Reservation(Base):
    """A material the order reserves: a quantity of it, from a named lot when the ERP
    allocated one."""

    __tablename__ = "order_reservations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    order_id: Mapped[str] = mapped_column(ForeignKey("production_orders.id"), index=True)
    position: Mapped[int]
    material_id: Mapped[str] = mapped_column(ForeignKey("materials.id"))
    lot_id: Mapped[str | None] = mapped_column(ForeignKey("lots.id"))
    quantity: Mapped[Decimal]
    unit: Mapped[str] = mapped_column(String(8))
    material: Mapped[Material] = relationship(lazy="joined")
    lot: Mapped[Lot | None] = relationship(lazy="joined")

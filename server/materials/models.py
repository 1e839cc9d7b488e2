"""Materials, their lots, dispensed containers, and every use of a lot in a batch."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.base import Base
from server.ids import new_id


class Material(Base):
    """An entry of the material master: code, name, GTIN and the unit it is counted in."""

    __tablename__ = "materials"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    unit: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]


class Lot(Base):
    """A received lot of a material, with its supplier's lot and its quality status."""

    __tablename__ = "lots"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    lot_number: Mapped[str] = mapped_column(String(20), unique=True)
    material_id: Mapped[str] = mapped_column(ForeignKey("materials.id"), index=True)
    supplier: Mapped[str] = mapped_column(String(200))
    supplier_lot: Mapped[str] = mapped_column(String(64))
    expiry: Mapped[date]
    retest_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[Decimal]
    unit: Mapped[str] = mapped_column(String(8))
    received_at: Mapped[datetime]
    received_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    material: Mapped[Material] = relationship(lazy="joined")


class Container(Base):
    """A dispensed portion of a lot, with its own number (GS1 serial) and label."""

    __tablename__ = "containers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    lot_id: Mapped[str] = mapped_column(ForeignKey("lots.id"), index=True)
    quantity: Mapped[Decimal]
    unit: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16))
    balance_id: Mapped[str | None] = mapped_column(ForeignKey("equipment.id"))
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    step_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    lot: Mapped[Lot] = relationship(lazy="joined")


class MaterialUse(Base):
    """A lot (or one of its containers) used by a batch step: the edge genealogy follows."""

    __tablename__ = "material_uses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    step_id: Mapped[str] = mapped_column(String(100))
    lot_id: Mapped[str] = mapped_column(ForeignKey("lots.id"), index=True)
    container_id: Mapped[str | None] = mapped_column(ForeignKey("containers.id"))
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[Decimal | None]
    unit: Mapped[str | None] = mapped_column(String(8))
    at: Mapped[datetime]
    by: Mapped[str] = mapped_column(ForeignKey("users.id"))

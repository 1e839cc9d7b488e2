"""Equipment and its logbook: what it is, where, whether it may be used, and its history."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.base import Base
from server.ids import new_id

if TYPE_CHECKING:
    from server.batches.models import Batch


class Equipment(Base):
    """A balance, blender, granulator, tablet press, coater... identified by its label code."""

    __tablename__ = "equipment"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    clean_until: Mapped[datetime | None]
    calibration_due: Mapped[date | None]
    address: Mapped[str | None] = mapped_column(String(200))
    in_use_by: Mapped[str | None] = mapped_column(ForeignKey("batches.id"))
    created_at: Mapped[datetime]
    # The batch using it, so that a refusal names it (from the identity map when loaded).
    in_use_by_batch: Mapped[Batch | None] = relationship(lazy="selectin", viewonly=True)


class EquipmentLogEntry(Base):
    """One line of the equipment logbook: used, cleaned, calibrated, status changed."""

    __tablename__ = "equipment_log"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    equipment_id: Mapped[str] = mapped_column(ForeignKey("equipment.id"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(300))
    event: Mapped[str] = mapped_column(String(32))
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("batches.id"))
    step_id: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]]
    reason: Mapped[str | None] = mapped_column(Text)

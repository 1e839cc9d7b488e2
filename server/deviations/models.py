"""A deviation raised during a batch."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import User
from server.batches.models import Batch
from server.db.base import Base, EnumText
from server.deviations.states import DeviationStatus
from server.ids import new_id
from server.signatures.models import Signature


class Deviation(Base):
    """A departure from the procedure, opened automatically or by a person."""

    __tablename__ = "deviations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    number: Mapped[str] = mapped_column(String(80), unique=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    step_id: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[DeviationStatus] = mapped_column(EnumText(DeviationStatus, 16))
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(100))
    value: Mapped[Any | None] = mapped_column(JSON)
    limits: Mapped[Any | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime]
    blocking: Mapped[bool] = mapped_column(default=False)
    impact: Mapped[str | None] = mapped_column(Text)
    root_cause: Mapped[str | None] = mapped_column(Text)
    capa: Mapped[list[str]] = mapped_column(JSON, default=list)
    conclusion: Mapped[str | None] = mapped_column(Text)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    signature_id: Mapped[str | None] = mapped_column(ForeignKey("signatures.id"))
    # Loaded with the deviation: every view of it shows the batch, who opened and closed it
    # and the closing (or cancelling) signature.
    batch: Mapped[Batch] = relationship(lazy="selectin")
    opener: Mapped[User] = relationship(foreign_keys=[opened_by], lazy="selectin")
    closer: Mapped[User | None] = relationship(foreign_keys=[closed_by], lazy="selectin")
    signature: Mapped[Signature | None] = relationship(lazy="selectin")

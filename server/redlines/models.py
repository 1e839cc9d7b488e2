"""A redline: a proposed or decided change to the procedure one batch follows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.auth.models import User
from server.db.base import Base
from server.ids import new_id


class Redline(Base):
    """The whole definition one batch is to follow from now on, with why and the diff from
    the definition it was proposed against (`base_hash`); `proposed`, then `approved` (the
    batch follows it: its `redline_hash` is this `content_hash`) or `rejected`."""

    __tablename__ = "redlines"
    __table_args__ = (UniqueConstraint("batch_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    base_hash: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]]
    diff: Mapped[dict[str, Any]]
    proposed_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_comment: Mapped[str | None] = mapped_column(Text)
    signature_id: Mapped[str | None] = mapped_column(ForeignKey("signatures.id"))
    deviation_id: Mapped[str | None] = mapped_column(ForeignKey("deviations.id"))
    proposer: Mapped[User] = relationship(foreign_keys=[proposed_by], lazy="selectin")
    decider: Mapped[User | None] = relationship(foreign_keys=[decided_by], lazy="selectin")

"""A reviewer's e-signed mark on one exception of a batch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base
from server.ids import new_id


class ReviewMark(Base):
    """An exception of a batch marked reviewed (signature meaning `reviewed`).

    `item_id` is the review item's stable id (see server.review), unique per batch.
    """

    __tablename__ = "review_marks"
    __table_args__ = (UniqueConstraint("batch_id", "item_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(200))
    reviewed_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime]
    signature_id: Mapped[str] = mapped_column(ForeignKey("signatures.id"))
    comment: Mapped[str | None] = mapped_column(Text)

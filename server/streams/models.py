"""Recordings of streams, linked to the batch step they show."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base
from server.ids import new_id


class Recording(Base):
    """A stream recorded on request; `media_id` is set once the file is stored."""

    __tablename__ = "recordings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    stream_id: Mapped[str] = mapped_column(String(80))
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    step_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    started_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    stopped_at: Mapped[datetime | None]
    stopped_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    media_id: Mapped[str | None] = mapped_column(ForeignKey("media_objects.id"))
    problem: Mapped[str | None] = mapped_column(Text)

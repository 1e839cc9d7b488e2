"""Stored media and what links it to the batch record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base
from server.ids import new_id


class MediaObject(Base):
    """One stored file, named by the SHA-256 of its bytes: the same bytes are stored once."""

    __tablename__ = "media_objects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))


class Attachment(Base):
    """A photo, snapshot or recording attached to a batch (and the step active then)."""

    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    step_id: Mapped[str | None] = mapped_column(String(100))
    media_id: Mapped[str] = mapped_column(ForeignKey("media_objects.id"))
    kind: Mapped[str] = mapped_column(String(16))
    stream_id: Mapped[str | None] = mapped_column(String(80))
    caption: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))

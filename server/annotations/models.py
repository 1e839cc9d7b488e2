"""An annotation as stored with the batch record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base, JSONDocument
from server.ids import new_id


class Annotation(Base):
    """An arrow, circle, rectangle, freehand line or text drawn on a frame of a stream.

    `points` are normalised frame coordinates (0..1); `anchor` holds the code-plane
    coordinates when the annotation is anchored to a detected code, else it is None.
    """

    __tablename__ = "annotations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    step_id: Mapped[str | None] = mapped_column(String(100))
    stream_id: Mapped[str] = mapped_column(String(80))
    shape: Mapped[str] = mapped_column(String(16))
    points: Mapped[list[Any]] = mapped_column(JSONDocument)
    text: Mapped[str | None] = mapped_column(Text)
    color: Mapped[str] = mapped_column(String(16))
    frame_timestamp: Mapped[float | None]
    anchor: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    cleared_at: Mapped[datetime | None]
    cleared_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))


class ChatMessage(Base):
    """A line of the chat between the operator and remote experts, kept with the batch."""

    __tablename__ = "chat_messages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    step_id: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))

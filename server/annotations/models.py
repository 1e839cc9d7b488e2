"""Annotations and chat as stored with the batch record, and as the record lists them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
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


@dataclass(frozen=True)
class Person:
    """Who wrote or handled a remark."""

    username: str
    full_name: str

    def summary(self) -> dict[str, str]:
        return {"username": self.username, "full_name": self.full_name}


def _summary_of(person: Person | None) -> dict[str, str] | None:
    return person.summary() if person is not None else None


@dataclass(frozen=True)
class AnnotationEntry:
    """An annotation with the people who drew, cleared and acknowledged it."""

    annotation: Annotation
    created_by: Person
    cleared_by: Person | None = None
    acknowledged_by: Person | None = None

    @property
    def anchor(self) -> str:
        """`code` when it follows a code in view, else `frame`."""
        return "code" if self.annotation.anchor else "frame"

    def summary(self) -> dict[str, Any]:
        """The annotation as the audit trail and `annotation` events show it."""
        a = self.annotation
        return {
            "id": a.id,
            "batch_id": a.batch_id,
            "stream_id": a.stream_id,
            "step_id": a.step_id,
            "shape": a.shape,
            "points": [[float(x), float(y)] for x, y in a.points],
            "text": a.text,
            "color": a.color,
            "frame_timestamp": _float(a.frame_timestamp),
            "anchor": self.anchor,
            "created_at": to_jsonable_python(a.created_at),
            "created_by": self.created_by.summary(),
            "cleared_at": to_jsonable_python(a.cleared_at),
            "cleared_by": _summary_of(self.cleared_by),
            "acknowledged_at": to_jsonable_python(a.acknowledged_at),
            "acknowledged_by": _summary_of(self.acknowledged_by),
        }


@dataclass(frozen=True)
class ChatEntry:
    """A chat message with who wrote it."""

    message: ChatMessage
    created_by: Person

    def summary(self) -> dict[str, Any]:
        """The message as the audit trail and `chat` events show it."""
        m = self.message
        return {
            "id": m.id,
            "batch_id": m.batch_id,
            "step_id": m.step_id,
            "text": m.text,
            "created_at": to_jsonable_python(m.created_at),
            "created_by": self.created_by.summary(),
        }


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)

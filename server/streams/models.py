"""Recordings of streams, linked to the batch step they show."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base
from server.ids import new_id
from server.media_store.models import media_url


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

    def summary(self) -> dict[str, Any]:
        """The recording as the audit trail and `recording` events show it."""
        return {
            "id": self.id,
            "stream_id": self.stream_id,
            "batch_id": self.batch_id,
            "step_id": self.step_id,
            "status": self.status,
            "started_at": to_jsonable_python(self.started_at),
            "stopped_at": to_jsonable_python(self.stopped_at),
            "media_id": self.media_id,
            "url": media_url(self.media_id) if self.media_id else None,
            "problem": self.problem,
        }


class StreamOwner(Base):
    """Which server process a live stream lives in, and when that process last said it is
    alive: the other processes redirect the stream's viewers there, until it goes stale."""

    __tablename__ = "stream_owners"

    stream_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    batch_id: Mapped[str] = mapped_column(String(36), index=True)
    process_url: Mapped[str] = mapped_column(String(400))
    process_id: Mapped[str] = mapped_column(String(80), index=True)
    publisher: Mapped[str] = mapped_column(String(100))  # username, as the stream list shows it
    started_at: Mapped[datetime]
    viewers: Mapped[int] = mapped_column(default=0)  # as of the last heartbeat
    heartbeat_at: Mapped[datetime]

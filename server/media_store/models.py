"""Stored media and what links it to the batch record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base
from server.ids import new_id

# Where the API serves stored files; records written with a file's address keep it as is.
MEDIA_PATH = "/api/v1/media"


def media_url(media_id: str) -> str:
    """Where a stored file can be fetched."""
    return f"{MEDIA_PATH}/{media_id}"


class MediaObject(Base):
    """One stored file, named by the SHA-256 of its bytes: the same bytes are stored once."""

    __tablename__ = "media_objects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))

    def summary(self) -> dict[str, Any]:
        """`{id, content_type, size, url}`: the file as the audit trail and events show it."""
        return {
            "id": self.id,
            "content_type": self.content_type,
            "size": self.size,
            "url": media_url(self.id),
        }


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


@dataclass(frozen=True)
class AttachmentEntry:
    """An attachment as the batch record lists it: with its file and who attached it."""

    attachment: Attachment
    media: MediaObject
    attached_by: str  # the actor's label

    def summary(self) -> dict[str, Any]:
        """The attachment as the audit trail and `attachment` events show it."""
        attachment = self.attachment
        return {
            "id": attachment.id,
            "batch_id": attachment.batch_id,
            "step_id": attachment.step_id,
            "kind": attachment.kind,
            "stream_id": attachment.stream_id,
            "caption": attachment.caption,
            "media": self.media.summary(),
            "created_at": to_jsonable_python(attachment.created_at),
            "created_by": self.attached_by,
        }

"""Media and attachment API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from server.media_store.models import AttachmentEntry, MediaObject, media_url
from server.web.schemas import Strict


class MediaOut(BaseModel):
    id: str = Field(description="SHA-256 of the bytes, lowercase hex: the content address.")
    content_type: str
    size: int
    url: str

    @classmethod
    def of(cls, media: MediaObject) -> MediaOut:
        return cls(
            id=media.id, content_type=media.content_type, size=media.size, url=media_url(media.id)
        )


class AttachIn(Strict):
    media_id: str = Field(pattern=r"^[0-9a-f]{64}$", description="The id from POST /media.")
    step_id: str | None = Field(
        default=None, max_length=100, description="Defaults to the batch's active step."
    )
    caption: str | None = Field(default=None, max_length=500)


class AttachmentOut(BaseModel):
    id: str
    batch_id: str
    step_id: str | None
    kind: Literal["photo", "snapshot", "recording"]
    stream_id: str | None
    caption: str | None
    media: MediaOut
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, entry: AttachmentEntry) -> AttachmentOut:
        attachment = entry.attachment
        return cls(
            id=attachment.id,
            batch_id=attachment.batch_id,
            step_id=attachment.step_id,
            kind=attachment.kind,  # type: ignore[arg-type]
            stream_id=attachment.stream_id,
            caption=attachment.caption,
            media=MediaOut.of(entry.media),
            created_at=attachment.created_at,
            created_by=entry.attached_by,
        )

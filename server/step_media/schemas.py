"""Step media API shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.media_store.models import media_url
from server.step_media.service import StepMediaChange, StepMediaEntry


class StepMediaOut(BaseModel):
    id: str = Field(description="SHA-256 of the file: its content address in the media store.")
    kind: Literal["image", "video", "pdf"]
    content_type: str
    caption: str
    size: int | None = Field(description="Bytes (None for a file this server never stored).")
    url: str = Field(description="Where the file is fetched (GET, any signed-in user).")

    @classmethod
    def of(cls, entry: StepMediaEntry) -> StepMediaOut:
        item = entry.item
        return cls(
            id=item.id,
            kind=item.kind,
            content_type=item.content_type,
            caption=item.caption,
            size=entry.size,
            url=media_url(item.id),
        )


class StepMediaChangeOut(BaseModel):
    key: str
    version: int
    revision: int = Field(description="The draft's revision after the change (also its ETag).")
    step_id: str
    media: list[StepMediaOut] = Field(description="The step's files now, in order.")

    @classmethod
    def of(cls, change: StepMediaChange) -> StepMediaChangeOut:
        version = change.version
        return cls(
            key=version.procedure.key,
            version=version.version,
            revision=version.revision,
            step_id=change.step_id,
            media=[StepMediaOut.of(entry) for entry in change.media],
        )

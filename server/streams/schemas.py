"""API shapes of live streams."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from server.media_store.models import media_url
from server.streams.models import Recording
from server.web.schemas import Strict


class LiveStreamOut(BaseModel):
    """A stream being published now."""

    stream_id: str
    batch_id: str
    name: str | None
    publisher: str
    viewers: int
    started_at: datetime
    step: str | None = Field(description="The batch's active step when listed.")
    talkback_stream_id: str = Field(
        description="The stream an expert publishes to talk to the batch's operator."
    )


class RecordingOut(BaseModel):
    """A recording of a stream; `media_id` and `url` once the file is stored."""

    id: str
    stream_id: str
    batch_id: str
    step_id: str | None
    status: Literal["recording", "stored", "failed"]
    started_at: datetime
    stopped_at: datetime | None
    media_id: str | None
    url: str | None
    problem: str | None = Field(description="Why a failed recording holds no file.")

    @classmethod
    def of(cls, recording: Recording) -> RecordingOut:
        return cls(
            id=recording.id,
            stream_id=recording.stream_id,
            batch_id=recording.batch_id,
            step_id=recording.step_id,
            status=recording.status,  # type: ignore[arg-type]
            started_at=recording.started_at,
            stopped_at=recording.stopped_at,
            media_id=recording.media_id,
            url=media_url(recording.media_id) if recording.media_id else None,
            problem=recording.problem,
        )


class SnapshotIn(Strict):
    """An optional caption; the body may be left out altogether."""

    caption: str | None = Field(default=None, max_length=500)

"""API shapes of live streams."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class LiveStreamOut(BaseModel):
    """A stream being published now."""

    stream_id: str
    batch_id: str
    name: str | None
    publisher: str
    viewers: int
    started_at: datetime

"""What can be done with streams in the database: check the batch, record start and end."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.auth.roles import EVERYONE, SHOP_FLOOR
from server.batches import remarks
from server.batches.exceptions import BatchNotFound
from server.clock import isoformat
from server.events.schemas import StreamEvent, ViewersEvent
from server.events.staging import stage
from server.streams.exceptions import StreamBatchNotFound
from server.streams.ids import StreamId
from server.streams.live import LiveStream

# The stream an expert publishes their microphone to, for the headset to play.
TALKBACK = "talkback"


def publishers(stream_id: StreamId) -> frozenset[str]:
    """Who may publish a stream: the shop floor; for talk-back, also the remote experts."""
    return EVERYONE if stream_id.name == TALKBACK else SHOP_FLOOR


async def check_batch(session: AsyncSession, stream_id: StreamId) -> None:
    """Refuse a stream of a batch that does not exist or is no longer open."""
    try:
        await remarks.open_batch(session, stream_id.batch_id)
    except BatchNotFound as exc:
        raise StreamBatchNotFound(stream_id.batch_id) from exc


def _summary(stream: LiveStream) -> dict[str, str | None]:
    return {
        "stream_id": str(stream.stream_id),
        "name": stream.name,
        "session_id": stream.session_id,
        "started_at": isoformat(stream.started_at),
    }


async def record_started(session: AsyncSession, stream: LiveStream) -> None:
    """Audit the start of a stream and tell the batch's watchers."""
    await audit.record(
        session,
        stream.publisher,
        "stream.started",
        "stream",
        str(stream.stream_id),
        new=_summary(stream),
        batch_id=stream.batch_id,
    )
    stage(
        session,
        StreamEvent(
            batch_id=stream.batch_id,
            stream_id=str(stream.stream_id),
            state="live",
            publisher=stream.publisher_username,
        ),
    )


async def record_ended(
    session: AsyncSession, stream: LiveStream, actor: audit.Actor, reason: str
) -> None:
    """Audit the end of a stream (who ended it, why) and tell the batch's watchers."""
    await audit.record(
        session,
        actor,
        "stream.ended",
        "stream",
        str(stream.stream_id),
        old=_summary(stream),
        reason=reason,
        batch_id=stream.batch_id,
    )
    stage(
        session,
        StreamEvent(batch_id=stream.batch_id, stream_id=str(stream.stream_id), state="ended"),
    )


def record_viewers(session: AsyncSession, stream: LiveStream) -> None:
    """Tell the batch's watchers how many watch the stream now."""
    stage(
        session,
        ViewersEvent(
            batch_id=stream.batch_id,
            stream_id=str(stream.stream_id),
            viewers=len(stream.viewers),
        ),
    )

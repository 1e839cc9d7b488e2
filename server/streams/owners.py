"""Which server process each live stream lives in, in the database all processes share.

A stream lives in the process its publisher reached. That process claims the stream's row
when the stream goes live, keeps its heartbeat fresh while it lasts, and deletes it when the
stream ends. Another process asked for the stream finds the owner here: fresh, it redirects
there; stale (the process died without ending its streams), the streams of that process have
ended, and their rows go.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.clock import isoformat
from server.events.schemas import StreamEvent
from server.events.staging import stage
from server.streams import recordings
from server.streams.exceptions import StreamAlreadyLive
from server.streams.ids import StreamId
from server.streams.live import LiveStream
from server.streams.models import StreamOwner

GONE = "its server process stopped answering"


@dataclass(frozen=True)
class Process:
    """This server process: its id for this run, and the URL that reaches it alone."""

    process_id: str
    url: str


async def claim(
    session: AsyncSession,
    stream: LiveStream,
    process: Process,
    now: datetime,
    stale_after: timedelta,
) -> None:
    """Record that `stream` lives in `process`; StreamAlreadyLive while another process's
    stream of that id is fresh (a stale one is ended first)."""
    key = str(stream.stream_id)
    held = await session.get(StreamOwner, key, with_for_update=True)
    if held is not None and not await end_stale(session, [held], now, stale_after):
        raise StreamAlreadyLive(stream.stream_id, held.publisher)
    session.add(
        StreamOwner(
            stream_id=key,
            batch_id=stream.batch_id,
            process_url=process.url,
            process_id=process.process_id,
            publisher=stream.publisher_username,
            started_at=stream.started_at,
            viewers=0,
            heartbeat_at=now,
        )
    )
    try:
        await session.flush()
    except IntegrityError as exc:  # another process claimed it at the same moment
        raise StreamAlreadyLive(stream.stream_id, "a publisher on another server") from exc


async def release(session: AsyncSession, stream_id: StreamId, process: Process) -> None:
    """The stream ended in `process`: forget its row (if still this process's)."""
    await session.execute(
        delete(StreamOwner).where(
            StreamOwner.stream_id == str(stream_id),
            StreamOwner.process_id == process.process_id,
        )
    )


async def heartbeat(
    session: AsyncSession, process: Process, viewers: dict[str, int], now: datetime
) -> None:
    """`process` is alive, and its streams have these viewer counts (by stream id)."""
    for stream_id, count in viewers.items():
        await session.execute(
            update(StreamOwner)
            .where(
                StreamOwner.stream_id == stream_id,
                StreamOwner.process_id == process.process_id,
            )
            .values(heartbeat_at=now, viewers=count)
        )


async def owner_of(session: AsyncSession, stream_id: StreamId) -> StreamOwner | None:
    """The row of the process the stream lives in, if any (fresh or not)."""
    return await session.get(StreamOwner, str(stream_id))


async def live(session: AsyncSession) -> list[StreamOwner]:
    """Every stream of every process, oldest first (stale ones included)."""
    found = await session.scalars(select(StreamOwner).order_by(StreamOwner.started_at))
    return list(found)


def is_stale(owner: StreamOwner, now: datetime, stale_after: timedelta) -> bool:
    """Whether the owner has not said it is alive within `stale_after`."""
    return now - owner.heartbeat_at > stale_after


async def end_stale(
    session: AsyncSession, owners: Iterable[StreamOwner], now: datetime, stale_after: timedelta
) -> list[StreamOwner]:
    """End the streams of processes that stopped answering: their rows go, their ends and
    those of their recordings are audited (by the system: nobody ended them) and announced.
    Returns the ended ones."""
    ended = []
    for owner in owners:
        if not is_stale(owner, now, stale_after):
            continue
        gone = await session.execute(
            delete(StreamOwner).where(
                StreamOwner.stream_id == owner.stream_id,
                StreamOwner.process_id == owner.process_id,
            )
        )
        if owner in session:
            session.expunge(owner)  # deleted by statement: a new claim may take its key
        if gone.rowcount == 0:  # type: ignore[attr-defined]
            continue  # another process ended it first
        await audit.record(
            session,
            audit.SYSTEM,
            "stream.ended",
            "stream",
            owner.stream_id,
            old={
                "stream_id": owner.stream_id,
                "process_url": owner.process_url,
                "started_at": isoformat(owner.started_at),
                "last_heartbeat_at": isoformat(owner.heartbeat_at),
            },
            reason=GONE,
            batch_id=owner.batch_id,
        )
        await recordings.end_interrupted(session, owner.stream_id, GONE)
        stage(
            session, StreamEvent(batch_id=owner.batch_id, stream_id=owner.stream_id, state="ended")
        )
        ended.append(owner)
    return ended

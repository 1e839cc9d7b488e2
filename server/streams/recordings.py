"""Recording a live stream on request into the batch record.

The publisher or an expert starts and stops it; the file goes to the media store and is
attached to the step that was active when recording began. Ending the stream stops its
recordings. Every start and stop is audited and announced as a `recording` event.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from media.streams.exceptions import RecordingFailed
from media.streams.recorder import Recorder, recording_suffix
from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.auth.roles import REMOTE_EXPERTS
from server.batches import remarks
from server.batches.active import active_step_id
from server.clock import utcnow
from server.concurrency import run_blocking
from server.events.schemas import RecordingEvent
from server.events.staging import stage
from server.media_store import service as media_store
from server.media_store.files import MediaFiles
from server.streams.exceptions import (
    NothingToRecord,
    RecordingNotFound,
    RecordingNotPermitted,
    RecordingNotRunning,
    RecordingRunning,
)
from server.streams.ids import StreamId
from server.streams.live import LiveStream
from server.streams.models import Recording

STOPPED_WITH_SERVER = "the recording stopped with the server that made it"


def _check_permitted(user: User, stream_id: StreamId, publisher: str | None) -> None:
    # Besides the stream's own publisher, the remote experts may record it.
    if user.username != publisher and not user.has_any_role(REMOTE_EXPERTS):
        raise RecordingNotPermitted(stream_id)


def _announce(session: AsyncSession, recording: Recording, action: str) -> dict[str, object]:
    summary = recording.summary()
    stage(session, RecordingEvent(batch_id=recording.batch_id, action=action, recording=summary))
    return summary


async def start_recording(
    session: AsyncSession, stream: LiveStream, user: User, folder: Path
) -> Recording:
    """Start recording `stream` (into `folder` until stopped); audited and announced. The
    batch must still be open; a recording it took is kept when it stops after completion."""
    _check_permitted(user, stream.stream_id, stream.publisher_username)
    await remarks.open_batch(session, stream.batch_id)
    if recording_suffix(stream.relay.codec) is None:
        raise NothingToRecord(stream.stream_id)
    if stream.recorders:
        raise RecordingRunning(stream.stream_id, next(iter(stream.recorders)))
    recording = Recording(
        stream_id=str(stream.stream_id),
        batch_id=stream.batch_id,
        step_id=await active_step_id(session, stream.batch_id),
        status="recording",
        started_at=utcnow(),
        started_by=user.id,
    )
    session.add(recording)
    await session.flush()
    out = _announce(session, recording, "started")
    await audit.record(
        session,
        auth.actor_of(user),
        "recording.started",
        "recording",
        recording.id,
        new=out,
        batch_id=recording.batch_id,
    )
    stream.recorders[recording.id] = Recorder(stream.relay, folder / recording.id)
    return recording


async def _locked(session: AsyncSession, recording_id: str) -> Recording | None:
    # Two stops of one recording queue here: the second sees it stopped.
    query = select(Recording).where(Recording.id == recording_id).with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def stop_recording(
    session: AsyncSession,
    files: MediaFiles,
    stream_id: StreamId,
    recording_id: str,
    user: User,
    stream: LiveStream | None,
) -> Recording:
    """Stop a running recording and store its file; RecordingNotRunning once stopped."""
    recording = await _locked(session, recording_id)
    if recording is None or recording.stream_id != str(stream_id):
        raise RecordingNotFound(stream_id, recording_id)
    _check_permitted(user, stream_id, stream.publisher_username if stream else None)
    if recording.status != "recording":
        raise RecordingNotRunning(recording.id, recording.status)
    recorder = stream.recorders.pop(recording.id, None) if stream else None
    await _finish(session, files, recording, recorder, auth.actor_of(user), None)
    return recording


async def stop_all(
    session: AsyncSession, files: MediaFiles, stream: LiveStream, actor: audit.Actor
) -> None:
    """Stop and store every recording of a stream that is ending."""
    for recording_id in list(stream.recorders):
        recorder = stream.recorders.pop(recording_id)
        recording = await _locked(session, recording_id)
        if recording is None or recording.status != "recording":
            # Its start never committed: nothing refers to the file.
            await _discard(recorder)
            continue
        await _finish(session, files, recording, recorder, actor, "the stream ended")


async def _discard(recorder: Recorder) -> None:
    try:
        recorded = await recorder.stop()
    except RecordingFailed:
        return
    if recorded is not None:
        await run_blocking(recorded.path.unlink, missing_ok=True)


async def _finish(
    session: AsyncSession,
    files: MediaFiles,
    recording: Recording,
    recorder: Recorder | None,
    actor: audit.Actor,
    reason: str | None,
) -> None:
    recording.stopped_at = utcnow()
    recording.stopped_by = actor.id
    try:
        recorded = await recorder.stop() if recorder else None
    except RecordingFailed as exc:
        recorded, recording.problem = None, exc.reason
    if recorder is None:
        recording.problem = STOPPED_WITH_SERVER
    if recorded is None:
        recording.status = "failed"
        recording.problem = recording.problem or "no video frame arrived while recording"
    else:
        data = await run_blocking(recorded.path.read_bytes)
        media = await media_store.save_media(session, files, actor, data, recorded.content_type)
        await media_store.attach(
            session,
            actor,
            batch_id=recording.batch_id,
            media_id=media.id,
            kind="recording",
            step_id=recording.step_id,
            stream_id=recording.stream_id,
        )
        await run_blocking(recorded.path.unlink, missing_ok=True)
        recording.status, recording.media_id = "stored", media.id
    await _stopped(session, recording, actor, reason)


async def _stopped(
    session: AsyncSession, recording: Recording, actor: audit.Actor, reason: str | None
) -> None:
    await session.flush()
    out = _announce(session, recording, "stopped")
    await audit.record(
        session,
        actor,
        "recording.stopped",
        "recording",
        recording.id,
        old={"status": "recording"},
        new=out,
        reason=reason,
        batch_id=recording.batch_id,
    )


async def end_interrupted(session: AsyncSession, stream_id: str, reason: str) -> None:
    """The stream's process died while recording it: its recordings end as failed (their
    files died with it), by the system, audited and announced."""
    query = (
        select(Recording)
        .where(Recording.stream_id == stream_id, Recording.status == "recording")
        .with_for_update()
    )
    for recording in (await session.scalars(query)).all():
        recording.stopped_at = utcnow()
        recording.status, recording.problem = "failed", STOPPED_WITH_SERVER
        await _stopped(session, recording, audit.SYSTEM, reason)

"""Starting and stopping the recording of a live stream."""

from __future__ import annotations

from server.auth.roles import EVERYONE
from server.streams import recordings
from server.streams.context import LIVE_STREAMS
from server.streams.ids import StreamId
from server.streams.redirect_handlers import redirect_if_elsewhere
from server.streams.schemas import RecordingOut
from server.web.api import Api, Call, Preparation
from server.web.keys import MEDIA_FILES

api = Api("recordings")
RECORDINGS = "/streams/{stream_id}/recordings"


def _stream_id(call: Call[None]) -> StreamId:
    return StreamId.parse(call.param("stream_id"))


async def _where_recorded(prep: Preparation[None]) -> None:
    """A stream's recorder runs where the stream lives: another process's stream is recorded
    there (307), before any transaction opens."""
    stream_id = StreamId.parse(prep.param("stream_id"))
    if prep.request.app[LIVE_STREAMS].find(stream_id) is None:
        await redirect_if_elsewhere(prep.request, stream_id)


@api.route(
    "POST",
    RECORDINGS,
    summary="Start recording a live stream into the batch record (its publisher or an expert)",
    roles=EVERYONE,
    response=RecordingOut,
    status=201,
    idempotent=True,
    prepare=_where_recorded,
    redirects=True,
)
async def start(call: Call[None]) -> RecordingOut:
    stream = call.request.app[LIVE_STREAMS].get(_stream_id(call))
    folder = call.settings.data_dir / "recordings"
    return RecordingOut.of(
        await recordings.start_recording(call.session, stream, call.user, folder)
    )


@api.route(
    "POST",
    RECORDINGS + "/{recording_id}/stop",
    summary="Stop a recording: the file is stored and attached to the batch step",
    roles=EVERYONE,
    response=RecordingOut,
    idempotent=True,
    prepare=_where_recorded,
    redirects=True,
)
async def stop(call: Call[None]) -> RecordingOut:
    stream_id = _stream_id(call)
    recording = await recordings.stop_recording(
        call.session,
        call.request.app[MEDIA_FILES],
        stream_id,
        call.param("recording_id"),
        call.user,
        call.request.app[LIVE_STREAMS].find(stream_id),
    )
    return RecordingOut.of(recording)

"""Snapshots of live streams: the operator publishing the stream, or an expert watching it,
captures its current frame as photo evidence of the batch's active step."""

from __future__ import annotations

from dataclasses import dataclass

from server.auth.exceptions import RoleNotPermitted
from server.auth.models import User
from server.auth.roles import REMOTE_EXPERTS
from server.auth.service import actor_of
from server.media_store.schemas import AttachmentOut
from server.streams import snapshots
from server.streams.analysis_context import STREAM_ANALYSES
from server.streams.ids import StreamId
from server.streams.live import LiveStream
from server.streams.redirect_handlers import live_here
from server.streams.schemas import SnapshotIn
from server.web.api import Api, Call, Preparation
from server.web.keys import MEDIA_FILES

api = Api("streams")
# As for annotations: the people who watch a stream from the expert console.
SNAPSHOT_ROLES = frozenset({"operator", *REMOTE_EXPERTS})


def _check_may_capture(user: User, stream: LiveStream) -> None:
    """Operators capture only the stream they publish; experts any stream they watch."""
    if not user.has_any_role(REMOTE_EXPERTS) and user.username != stream.publisher_username:
        raise RoleNotPermitted(
            "Taking a snapshot of another operator's stream", ["its publisher", *REMOTE_EXPERTS]
        )


@dataclass(frozen=True)
class Captured:
    """A live stream's frame, captured before the transaction that stores it."""

    stream: LiveStream
    png: bytes


async def _capture(prep: Preparation[SnapshotIn]) -> Captured:
    """Wait for the stream's current frame with no transaction open (SQLite's one writer)."""
    app, user = prep.request.app, prep.user
    assert user is not None
    stream = await live_here(prep.request, StreamId.parse(prep.param("stream_id")))
    _check_may_capture(user, stream)
    return Captured(stream, await snapshots.capture(app[STREAM_ANALYSES].of(stream.stream_id)))


@api.route(
    "POST",
    "/streams/{stream_id}/snapshots",
    summary="Capture a live stream's current frame (PNG) as evidence of the batch's active "
    "step; answers the attachment",
    roles=SNAPSHOT_ROLES,
    body=SnapshotIn,
    optional_body=True,
    response=AttachmentOut,
    status=201,
    prepare=_capture,
    redirects=True,
)
async def take_snapshot(call: Call[SnapshotIn]) -> AttachmentOut:
    captured = call.prepared_as(Captured)
    entry = await snapshots.store(
        call.session,
        call.request.app[MEDIA_FILES],
        actor_of(call.user),
        captured.stream,
        captured.png,
        call.body.caption,
    )
    return AttachmentOut.of(entry)

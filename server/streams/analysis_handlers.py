"""Snapshots of live streams: the operator publishing the stream, or an expert watching it,
captures its current frame as photo evidence of the batch's active step."""

from __future__ import annotations

from aiohttp import web

from server.auth.exceptions import RoleNotPermitted
from server.auth.models import User
from server.auth.roles import REMOTE_EXPERTS
from server.auth.service import actor_of
from server.db.unit_of_work import unit_of_work
from server.media_store.schemas import AttachmentOut
from server.streams import snapshots
from server.streams.analysis_context import STREAM_ANALYSES
from server.streams.context import LIVE_STREAMS
from server.streams.ids import StreamId
from server.streams.live import LiveStream
from server.streams.schemas import SnapshotIn
from server.web.api import Api, current_user
from server.web.body import BodyTooLarge, parse_json
from server.web.keys import DATABASE, EVENTS, MEDIA_FILES, SETTINGS

api = Api("streams")
# As for annotations: the people who watch a stream from the expert console.
SNAPSHOT_ROLES = frozenset({"operator", *REMOTE_EXPERTS})


async def _snapshot_taker(request: web.Request) -> User:
    """The signed-in user, if their role may take snapshots at all."""
    async with request.app[DATABASE].sessions(readonly=True)() as session, session.begin():
        user = await current_user(request, session)
        if not user.has_any_role(SNAPSHOT_ROLES):
            raise RoleNotPermitted("Taking a snapshot of a live stream", SNAPSHOT_ROLES)
        return user


async def _body(request: web.Request) -> SnapshotIn:
    """The optional JSON body; none at all means no caption."""
    limit = request.app[SETTINGS].max_body_bytes
    raw = await request.content.read(limit + 1)
    if len(raw) > limit:
        raise BodyTooLarge(limit)
    return parse_json(raw, request.content_type, SnapshotIn) if raw else SnapshotIn()


def _check_may_capture(user: User, stream: LiveStream) -> None:
    """Operators capture only the stream they publish; experts any stream they watch."""
    if not user.has_any_role(REMOTE_EXPERTS) and user.username != stream.publisher_username:
        raise RoleNotPermitted(
            "Taking a snapshot of another operator's stream", ["its publisher", *REMOTE_EXPERTS]
        )


@api.route(
    "POST",
    "/streams/{stream_id}/snapshots",
    summary="Capture a live stream's current frame (PNG) as evidence of the batch's active "
    "step; answers the attachment",
    roles=SNAPSHOT_ROLES,
    body=SnapshotIn,
    response=AttachmentOut,
    status=201,
    plain=True,
)
async def take_snapshot(request: web.Request) -> web.Response:
    # Plain: its body is optional (none at all means no caption), which declared bodies are
    # not; waiting for a frame holds no database transaction (SQLite's one writer).
    app = request.app
    user = await _snapshot_taker(request)
    body = await _body(request)
    stream = app[LIVE_STREAMS].get(StreamId.parse(request.match_info["stream_id"]))
    _check_may_capture(user, stream)
    png = await snapshots.capture(app[STREAM_ANALYSES].of(stream.stream_id))
    async with unit_of_work(app[DATABASE], app[EVENTS]) as session:
        entry = await snapshots.store(
            session, app[MEDIA_FILES], actor_of(user), stream, png, body.caption
        )
    return web.json_response(text=AttachmentOut.of(entry).model_dump_json(), status=201)

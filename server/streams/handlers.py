"""WHIP (RFC 9725) publishing, WHEP watching, and the list of live streams.

The WHIP/WHEP handlers are plain: their bodies and answers are SDP, not JSON, and peer
negotiation happens outside any database transaction.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from media.streams.exceptions import OfferRejected
from server.auth import service as auth
from server.auth.exceptions import RoleNotPermitted
from server.auth.models import User
from server.auth.roles import EVERYONE
from server.batches.active import active_step_id
from server.events.staging import take_staged
from server.streams import service as streams
from server.streams.context import LIVE_STREAMS
from server.streams.exceptions import OfferRefused, SdpExpected, StreamSessionNotFound
from server.streams.ids import StreamId
from server.streams.live import LiveStream
from server.streams.schemas import LiveStreamOut
from server.web.api import PREFIX, Api, Call, current_user
from server.web.body import BodyTooLarge
from server.web.keys import DATABASE, EVENTS, SETTINGS
from server.web.problems import problem

api = Api("streams")
SDP = "application/sdp"
WHIP = "/streams/{stream_id}/whip"
WHEP = "/streams/{stream_id}/whep"


async def _signed_in(
    request: web.Request,
    roles: frozenset[str] | Callable[[StreamId], frozenset[str]],
    action: str,
    *,
    batch_must_exist: bool = False,
) -> tuple[User, StreamId]:
    """The user, if their role allows `action` (on this stream), and the stream id of the path."""
    async with request.app[DATABASE].sessions(readonly=True)() as session, session.begin():
        user = await current_user(request, session)
        stream_id = StreamId.parse(request.match_info["stream_id"])
        allowed = roles(stream_id) if callable(roles) else roles
        if not user.has_any_role(allowed):
            raise RoleNotPermitted(action, allowed)
        if batch_must_exist:
            await streams.check_batch(session, stream_id)
        return user, stream_id


async def _offer(request: web.Request) -> str:
    """The SDP offer of the body; 415 for another media type."""
    if request.content_type != SDP:
        raise SdpExpected(request.content_type)
    limit = request.app[SETTINGS].max_body_bytes
    raw = await request.read()
    if len(raw) > limit:
        raise BodyTooLarge(limit)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OfferRefused("the body is not UTF-8 text") from exc


def _created(location: str, answer: str) -> web.Response:
    return web.Response(status=201, text=answer, content_type=SDP, headers={"Location": location})


@api.route(
    "POST",
    WHIP,
    summary="Publish a live stream (WHIP): an SDP offer in, the SDP answer out. The shop floor "
    "publishes; anyone signed in may publish `{batch_id}.talkback` (an expert's microphone)",
    roles=EVERYONE,
    status=201,
    plain=True,
    produces=(SDP,),
)
async def publish(request: web.Request) -> web.Response:
    live = request.app[LIVE_STREAMS]
    user, stream_id = await _signed_in(
        request, streams.publishers, "Publish a live stream", batch_must_exist=True
    )
    offer = await _offer(request)
    with live.reserving(stream_id):
        relay, peer = live.new_publisher(stream_id)
        try:
            answer = await peer.answer(offer)
            stream = LiveStream(
                stream_id=stream_id,
                publisher=auth.actor_of(user),
                publisher_username=user.username,
                relay=relay,
                peer=peer,
            )
            database, bus = request.app[DATABASE], request.app[EVENTS]
            async with database.sessions()() as session, session.begin():
                await streams.record_started(session, stream)
                events = take_staged(session)
                await bus.before_commit(session, events)
        except OfferRejected as exc:
            await peer.close()
            raise OfferRefused(exc.reason) from exc
        except BaseException:
            await peer.close()
            raise
        live.add(stream)
    bus.after_commit(events)
    location = f"{PREFIX}/streams/{stream_id}/whip/{stream.session_id}"
    return _created(location, answer)


@api.route(
    "DELETE",
    WHIP + "/{session_id}",
    summary="End a published live stream (WHIP session)",
    roles=EVERYONE,
    plain=True,
)
async def unpublish(request: web.Request) -> web.Response:
    user, stream_id = await _signed_in(request, streams.publishers, "End a live stream")
    await request.app[LIVE_STREAMS].end_session(
        stream_id, request.match_info["session_id"], auth.actor_of(user)
    )
    return web.Response(status=200)


@api.route(
    "POST",
    WHEP,
    summary="Watch a live stream (WHEP): an SDP offer in, the SDP answer out",
    roles=EVERYONE,
    status=201,
    plain=True,
    produces=(SDP,),
)
async def watch(request: web.Request) -> web.Response:
    _user, stream_id = await _signed_in(request, EVERYONE, "Watch a live stream")
    offer = await _offer(request)
    try:
        session_id, answer = await request.app[LIVE_STREAMS].watch(stream_id, offer)
    except OfferRejected as exc:
        raise OfferRefused(exc.reason) from exc
    return _created(f"{PREFIX}/streams/{stream_id}/whep/{session_id}", answer)


@api.route(
    "DELETE",
    WHEP + "/{session_id}",
    summary="Stop watching a live stream (WHEP session)",
    roles=EVERYONE,
    plain=True,
)
async def unwatch(request: web.Request) -> web.Response:
    _user, stream_id = await _signed_in(request, EVERYONE, "Stop watching a live stream")
    session_id = request.match_info["session_id"]
    if not await request.app[LIVE_STREAMS].leave(stream_id, session_id):
        raise StreamSessionNotFound(stream_id, session_id)
    return web.Response(status=200)


async def _no_trickle(request: web.Request) -> web.Response:
    answer = problem(
        405,
        "trickle-ice-not-supported",
        "Trickle ICE not supported",
        "This server does not accept trickle ICE or ICE restarts: gather all candidates "
        "before sending the offer, and start a new session to restart.",
    )
    answer.headers["Allow"] = "DELETE"
    return answer


for _path in (WHIP, WHEP):
    api.route(
        "PATCH",
        _path + "/{session_id}",
        summary="Trickle ICE (not supported: always 405)",
        roles=None,
        plain=True,
    )(_no_trickle)


@api.route(
    "GET",
    "/streams",
    summary="List the live streams",
    roles=EVERYONE,
    response=list[LiveStreamOut],
)
async def list_streams(call: Call[None]) -> list[LiveStreamOut]:
    return [
        LiveStreamOut(
            stream_id=str(stream.stream_id),
            batch_id=stream.batch_id,
            name=stream.name,
            publisher=stream.publisher_username,
            viewers=len(stream.viewers),
            started_at=stream.started_at,
            step=await active_step_id(call.session, stream.batch_id),
            talkback_stream_id=str(StreamId(stream.batch_id, streams.TALKBACK)),
        )
        for stream in call.request.app[LIVE_STREAMS]
    ]

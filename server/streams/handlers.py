"""WHIP (RFC 9725) publishing, WHEP watching, and the list of live streams.

Bodies and answers of WHIP/WHEP are SDP, not JSON. Peer negotiation is slow and happens before
any transaction opens (WHEP's prepare phase); the registry of live streams records a stream's
start and end in its own unit of work (whoever ends it: a DELETE, the publisher's connection
failing, shutdown).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from media.streams.exceptions import OfferRejected
from media.streams.sdp_checks import MAX_OFFER_BYTES
from server.auth import service as auth
from server.auth.exceptions import RoleNotPermitted
from server.auth.roles import EVERYONE
from server.batches.active import active_step_id
from server.streams import service as streams
from server.streams.context import LIVE_STREAMS, STREAM_OWNERSHIP
from server.streams.exceptions import OfferRefused, SdpExpected, StreamSessionNotFound
from server.streams.ids import StreamId
from server.streams.redirect_handlers import live_here, redirect_if_elsewhere, url_of_connection
from server.streams.schemas import LiveStreamOut
from server.web.api import PREFIX, Api, Call, Preparation
from server.web.problems import problem

api = Api("streams")
SDP = "application/sdp"
WHIP = "/streams/{stream_id}/whip"
WHEP = "/streams/{stream_id}/whep"


@dataclass(frozen=True)
class Negotiated:
    """A WHIP or WHEP session just negotiated: its URL and the SDP answer."""

    location: str
    answer: str

    def created(self) -> web.Response:
        """The 201 answer that opens the session."""
        return web.Response(
            status=201, text=self.answer, content_type=SDP, headers={"Location": self.location}
        )


async def _may_publish(prep: Preparation[None], action: str, *, check_batch: bool) -> StreamId:
    """The stream id of the path, if the signed-in user may publish that stream (talk-back:
    anyone; the others: the shop floor). With `check_batch`, its batch must exist and be open,
    which is said first: a stream of no batch is not found for anyone."""
    stream_id = StreamId.parse(prep.param("stream_id"))
    if check_batch:
        async with prep.database.sessions(readonly=True)() as session:
            await streams.check_batch(session, stream_id)
    allowed = streams.publishers(stream_id)
    user = prep.user
    assert user is not None
    if not user.has_any_role(allowed):
        raise RoleNotPermitted(action, allowed)
    return stream_id


def _offer(prep: Preparation[None]) -> str:
    """The SDP offer of the body; 415 for another media type."""
    if prep.request.content_type != SDP:
        raise SdpExpected(prep.request.content_type)
    try:
        return prep.raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OfferRefused("the body is not UTF-8 text") from exc


async def _start_publishing(prep: Preparation[None]) -> Negotiated:
    stream_id = await _may_publish(prep, "Publish a live stream", check_batch=True)
    offer, user = _offer(prep), prep.user
    assert user is not None
    prep.request.app[STREAM_OWNERSHIP].learn(url_of_connection(prep.request))
    try:
        stream, answer = await prep.request.app[LIVE_STREAMS].start(
            stream_id, auth.actor_of(user), user.username, offer
        )
    except OfferRejected as exc:
        raise OfferRefused(exc.reason) from exc
    return Negotiated(f"{PREFIX}/streams/{stream_id}/whip/{stream.session_id}", answer)


# Who may publish depends on the stream (`{batch_id}.talkback` takes any role): the declared
# roles let everyone in, and the prepare phase checks the stream's own.
@api.route(
    "POST",
    WHIP,
    summary="Publish a live stream (WHIP): an SDP offer in, the SDP answer out. The shop floor "
    "publishes; anyone signed in may publish `{batch_id}.talkback` (an expert's microphone)",
    roles=EVERYONE,
    status=201,
    produces=(SDP,),
    consumes=(SDP,),
    max_body=MAX_OFFER_BYTES,
    prepare=_start_publishing,
)
async def publish(call: Call[None]) -> web.Response:
    return call.prepared_as(Negotiated).created()


async def _end_publishing(prep: Preparation[None]) -> None:
    """A session that does not exist is not found for anyone; one that does, ended by
    whoever may publish its stream."""
    stream_id, session_id = StreamId.parse(prep.param("stream_id")), prep.param("session_id")
    live = prep.request.app[LIVE_STREAMS]
    stream = live.find(stream_id)
    if stream is None:
        await redirect_if_elsewhere(prep.request, stream_id)
    if stream is None or stream.session_id != session_id:
        raise StreamSessionNotFound(stream_id, session_id)
    await _may_publish(prep, "End a live stream", check_batch=False)
    user = prep.user
    assert user is not None
    await live.end(stream_id, auth.actor_of(user), "the publisher ended the stream")


@api.route(
    "DELETE",
    WHIP + "/{session_id}",
    summary="End a published live stream (WHIP session)",
    roles=EVERYONE,
    prepare=_end_publishing,
    redirects=True,
)
async def unpublish(call: Call[None]) -> web.Response:
    return web.Response(status=200)


async def _start_watching(preparation: Preparation[None]) -> Negotiated:
    stream_id = StreamId.parse(preparation.param("stream_id"))
    offer = _offer(preparation)
    await live_here(preparation.request, stream_id)
    try:
        session_id, answer = await preparation.request.app[LIVE_STREAMS].watch(stream_id, offer)
    except OfferRejected as exc:
        raise OfferRefused(exc.reason) from exc
    return Negotiated(f"{PREFIX}/streams/{stream_id}/whep/{session_id}", answer)


@api.route(
    "POST",
    WHEP,
    summary="Watch a live stream (WHEP): an SDP offer in, the SDP answer out",
    roles=EVERYONE,
    status=201,
    produces=(SDP,),
    consumes=(SDP,),
    max_body=MAX_OFFER_BYTES,
    prepare=_start_watching,
    redirects=True,
)
async def watch(call: Call[None]) -> web.Response:
    return call.prepared_as(Negotiated).created()


async def _stop_watching(preparation: Preparation[None]) -> None:
    stream_id = StreamId.parse(preparation.param("stream_id"))
    session_id = preparation.param("session_id")
    live = preparation.request.app[LIVE_STREAMS]
    if live.find(stream_id) is None:
        await redirect_if_elsewhere(preparation.request, stream_id)
    if not await live.leave(stream_id, session_id):
        raise StreamSessionNotFound(stream_id, session_id)


@api.route(
    "DELETE",
    WHEP + "/{session_id}",
    summary="Stop watching a live stream (WHEP session)",
    roles=EVERYONE,
    prepare=_stop_watching,
    redirects=True,
)
async def unwatch(call: Call[None]) -> web.Response:
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
    summary="List the live streams (of every server process)",
    roles=EVERYONE,
    response=list[LiveStreamOut],
)
async def list_streams(call: Call[None]) -> list[LiveStreamOut]:
    here = {stream.stream_id: stream for stream in call.request.app[LIVE_STREAMS]}
    listed = []
    for owner in await call.request.app[STREAM_OWNERSHIP].everywhere():
        stream_id = StreamId.parse(owner.stream_id)
        local = here.get(stream_id)
        listed.append(
            LiveStreamOut(
                stream_id=owner.stream_id,
                batch_id=owner.batch_id,
                name=stream_id.name,
                publisher=owner.publisher,
                viewers=len(local.viewers) if local else owner.viewers,
                started_at=owner.started_at,
                step=await active_step_id(call.session, owner.batch_id),
                talkback_stream_id=str(StreamId(owner.batch_id, streams.TALKBACK)),
            )
        )
    return listed

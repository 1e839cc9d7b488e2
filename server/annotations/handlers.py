"""Annotation and chat endpoints of a batch.

Experts (supervisor, QA, author, admin) draw and clear annotations; the shop floor
(operator, supervisor) acknowledges them; everyone who may read the batch reads them and chats.
"""

from __future__ import annotations

from server.annotations import service as annotations
from server.annotations.schemas import AnnotationIn, AnnotationOut, ChatIn, ChatMessageOut
from server.auth.roles import EVERYONE, REMOTE_EXPERTS, SHOP_FLOOR
from server.streams.analysis_context import STREAM_ANALYSES
from server.streams.redirect_handlers import follow_stream
from server.web.api import Api, Call, Preparation

api = Api("annotations")
ANNOTATIONS = "/batches/{batch_id}/annotations"
ANNOTATION = ANNOTATIONS + "/{annotation_id}"


def _anchoring(call: Call[object]) -> annotations.Anchoring:
    """The analyses of the streams live in this process: they anchor annotations to codes."""
    return call.request.app[STREAM_ANALYSES]


async def _where_drawn(prep: Preparation[AnnotationIn]) -> None:
    """Drawn on a stream live in another process: anchored there (307)."""
    await follow_stream(prep.request, prep.body.stream_id)


async def _where_cleared(prep: Preparation[None]) -> None:
    """Cleared from a stream live in another process: released there (307)."""
    async with prep.database.sessions(readonly=True)() as session:
        stream_id = await annotations.stream_of(session, prep.param("annotation_id"))
    if stream_id is not None:
        await follow_stream(prep.request, stream_id)


@api.route(
    "POST",
    ANNOTATIONS,
    summary="Draw an annotation on a stream of the batch (sent to the headset)",
    roles=REMOTE_EXPERTS,
    body=AnnotationIn,
    response=AnnotationOut,
    status=201,
    idempotent=True,
    prepare=_where_drawn,
    redirects=True,
)
async def create_annotation(call: Call[AnnotationIn]) -> AnnotationOut:
    body = call.body
    drawing = annotations.Drawing(
        stream_id=body.stream_id,
        shape=body.shape,
        points=body.points,
        text=body.text,
        color=body.color,
        frame_timestamp=body.frame_timestamp,
    )
    entry = await annotations.create_annotation(
        call.session,
        call.user,
        call.param("batch_id"),
        drawing,
        anchoring=_anchoring(call),
        step_id=body.step_id,
    )
    return AnnotationOut.of(entry)


@api.route(
    "GET",
    ANNOTATIONS,
    summary="The batch's annotations, cleared ones included",
    roles=EVERYONE,
    response=list[AnnotationOut],
)
async def list_annotations(call: Call[None]) -> list[AnnotationOut]:
    entries = await annotations.annotations_of(call.session, call.param("batch_id"))
    return [AnnotationOut.of(entry) for entry in entries]


@api.route(
    "POST",
    ANNOTATION + "/clear",
    summary="Clear an annotation from the video (kept in the record)",
    roles=REMOTE_EXPERTS,
    response=AnnotationOut,
    idempotent=True,
    prepare=_where_cleared,
    redirects=True,
)
async def clear_annotation(call: Call[None]) -> AnnotationOut:
    entry = await annotations.clear_annotation(
        call.session,
        call.user,
        call.param("batch_id"),
        call.param("annotation_id"),
        anchoring=_anchoring(call),
    )
    return AnnotationOut.of(entry)


@api.route(
    "POST",
    ANNOTATION + "/acknowledge",
    summary="Acknowledge an annotation (the operator has seen it)",
    roles=SHOP_FLOOR,
    response=AnnotationOut,
    idempotent=True,
)
async def acknowledge_annotation(call: Call[None]) -> AnnotationOut:
    entry = await annotations.acknowledge_annotation(
        call.session, call.user, call.param("batch_id"), call.param("annotation_id")
    )
    return AnnotationOut.of(entry)


@api.route(
    "POST",
    "/batches/{batch_id}/chat",
    summary="Post a chat message to the batch",
    roles=EVERYONE,
    body=ChatIn,
    response=ChatMessageOut,
    status=201,
    idempotent=True,
)
async def post_message(call: Call[ChatIn]) -> ChatMessageOut:
    entry = await annotations.post_message(
        call.session, call.user, call.param("batch_id"), call.body.text, step_id=call.body.step_id
    )
    return ChatMessageOut.of(entry)


@api.route(
    "GET",
    "/batches/{batch_id}/chat",
    summary="The batch's chat, oldest first",
    roles=EVERYONE,
    response=list[ChatMessageOut],
)
async def list_messages(call: Call[None]) -> list[ChatMessageOut]:
    entries = await annotations.messages_of(call.session, call.param("batch_id"))
    return [ChatMessageOut.of(entry) for entry in entries]

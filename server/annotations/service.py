"""What can be done with annotations and chat: each change audited and announced.

Annotations are drawn by remote experts on a live stream, shown on the operator's headset,
cleared by an expert or acknowledged by the operator; chat is the written side of the same
conversation. Both stay in the batch record.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.annotations.exceptions import (
    AnnotationAcknowledged,
    AnnotationCleared,
    AnnotationNotFound,
    StreamNotOfBatch,
)
from server.annotations.models import Annotation, AnnotationEntry, ChatEntry, ChatMessage, Person
from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.batches import remarks
from server.batches.exceptions import BatchNotFound
from server.batches.models import Batch
from server.clock import utcnow
from server.events.schemas import AnnotationEvent, ChatEvent
from server.events.staging import stage
from server.streams.exceptions import StreamIdInvalid
from server.streams.ids import StreamId

# What the record keeps of an annotation that follows a code: the analyser holds the plane.
CODE_ANCHOR = {"kind": "code"}
# How long an annotation may wait for a frame of a live stream to be analysed for codes (when
# none is current): beyond it, it is stored frame-anchored rather than keep the headset waiting.
LOOK_SECONDS = 0.3


class Anchoring(Protocol):
    """Anchors annotations to the codes in view of the streams live in this process."""

    async def look(self, stream_id: StreamId) -> bool:
        """Whether a current analysed frame of the stream could be had (one is analysed if
        none is); False when the stream is not live here."""
        ...

    def anchor(self, stream_id: StreamId, annotation_id: str, points: list[list[float]]) -> bool:
        """Anchor an annotation to the code it is drawn on in the current frame, if any."""
        ...

    def release(self, stream_id: StreamId, annotation_id: str) -> None:
        """Stop following an annotation. Safe to call twice."""
        ...


@dataclass(frozen=True)
class Drawing:
    """An annotation as the expert drew it."""

    stream_id: str
    shape: str
    points: list[list[float]]
    text: str | None
    color: str
    frame_timestamp: float


def _person(user: User) -> Person:
    return Person(user.username, user.full_name)


async def _people(session: AsyncSession, ids: Iterable[str | None]) -> dict[str, Person]:
    users = await auth.users_by_id(session, ids)
    return {user.id: _person(user) for user in users.values()}


def _entry(annotation: Annotation, people: dict[str, Person]) -> AnnotationEntry:
    return AnnotationEntry(
        annotation,
        created_by=people[annotation.created_by],
        cleared_by=people.get(annotation.cleared_by or ""),
        acknowledged_by=people.get(annotation.acknowledged_by or ""),
    )


async def _described(session: AsyncSession, annotation: Annotation) -> AnnotationEntry:
    people = await _people(
        session, (annotation.created_by, annotation.cleared_by, annotation.acknowledged_by)
    )
    return _entry(annotation, people)


def _announce(session: AsyncSession, action: str, entry: AnnotationEntry) -> None:
    event = AnnotationEvent(
        batch_id=entry.annotation.batch_id, action=action, annotation=entry.summary()
    )
    stage(session, event)


async def create_annotation(
    session: AsyncSession,
    user: User,
    batch_id: str,
    drawing: Drawing,
    *,
    anchoring: Anchoring,
    step_id: str | None = None,
) -> AnnotationEntry:
    """Store an expert's annotation on the batch's step, audited and sent to the headset.

    When the stream drawn on is live here and the annotation lies on a code in view, it is
    anchored to that code and follows it; otherwise it stays where it was drawn.
    """
    # Looked at before the first statement: no database connection waits on the video.
    in_view = await _in_view(anchoring, drawing.stream_id)
    await remarks.open_batch(session, batch_id)
    stream = StreamId.parse(drawing.stream_id)
    if stream.batch_id != batch_id:
        raise StreamNotOfBatch(drawing.stream_id, batch_id)
    annotation = Annotation(
        batch_id=batch_id,
        step_id=await remarks.step_of(session, batch_id, step_id),
        stream_id=str(stream),
        shape=drawing.shape,
        points=drawing.points,
        text=drawing.text,
        color=drawing.color,
        frame_timestamp=drawing.frame_timestamp,
        created_at=utcnow(),
        created_by=user.id,
    )
    session.add(annotation)
    await session.flush()
    if in_view and anchoring.anchor(stream, annotation.id, drawing.points):
        annotation.anchor = CODE_ANCHOR
    entry = AnnotationEntry(annotation, created_by=_person(user))
    await audit.record(
        session,
        auth.actor_of(user),
        "annotation.created",
        "annotation",
        annotation.id,
        new=entry.summary(),
        batch_id=batch_id,
    )
    _announce(session, "created", entry)
    return entry


async def _in_view(anchoring: Anchoring, stream_id: str) -> bool:
    """Whether a current analysed frame of the stream drawn on could be had in time, so that
    an annotation can be anchored to a code in view."""
    try:
        stream = StreamId.parse(stream_id)
        async with asyncio.timeout(LOOK_SECONDS):
            return await anchoring.look(stream)
    except (StreamIdInvalid, TimeoutError):
        return False  # an invalid stream id is refused after the batch is checked


async def stream_of(session: AsyncSession, annotation_id: str) -> str | None:
    """The stream an annotation was drawn on; None for an unknown annotation."""
    annotation = await session.get(Annotation, annotation_id)
    return None if annotation is None else annotation.stream_id


async def _locked_annotation(
    session: AsyncSession, batch_id: str, annotation_id: str
) -> Annotation:
    await remarks.unlocked_batch(session, batch_id)
    annotation = await session.get(Annotation, annotation_id, with_for_update=True)
    if annotation is None or annotation.batch_id != batch_id:
        raise AnnotationNotFound(batch_id, annotation_id)
    if annotation.cleared_at is not None:
        raise AnnotationCleared(annotation_id, annotation.cleared_at)
    return annotation


async def clear_annotation(
    session: AsyncSession,
    user: User,
    batch_id: str,
    annotation_id: str,
    *,
    anchoring: Anchoring,
) -> AnnotationEntry:
    """An expert takes an annotation off the video; the record keeps it, marked cleared."""
    annotation = await _locked_annotation(session, batch_id, annotation_id)
    annotation.cleared_at = utcnow()
    annotation.cleared_by = user.id
    anchoring.release(StreamId.parse(annotation.stream_id), annotation.id)
    entry = await _described(session, annotation)
    summary = entry.summary()
    await audit.record(
        session,
        auth.actor_of(user),
        "annotation.cleared",
        "annotation",
        annotation.id,
        old={"cleared_at": None},
        new={"cleared_at": summary["cleared_at"], "cleared_by": user.username},
        batch_id=batch_id,
    )
    _announce(session, "cleared", entry)
    return entry


async def acknowledge_annotation(
    session: AsyncSession, user: User, batch_id: str, annotation_id: str
) -> AnnotationEntry:
    """The operator confirms they have seen an annotation; it stays on screen until cleared."""
    annotation = await _locked_annotation(session, batch_id, annotation_id)
    if annotation.acknowledged_at is not None:
        raise AnnotationAcknowledged(annotation_id, annotation.acknowledged_at)
    annotation.acknowledged_at = utcnow()
    annotation.acknowledged_by = user.id
    entry = await _described(session, annotation)
    await audit.record(
        session,
        auth.actor_of(user),
        "annotation.acknowledged",
        "annotation",
        annotation.id,
        old={"acknowledged_at": None},
        new={
            "acknowledged_at": entry.summary()["acknowledged_at"],
            "acknowledged_by": user.username,
        },
        batch_id=batch_id,
    )
    _announce(session, "acknowledged", entry)
    return entry


async def _existing_batch(session: AsyncSession, batch_id: str) -> None:
    if await session.get(Batch, batch_id) is None:
        raise BatchNotFound(batch_id)


async def annotations_of(session: AsyncSession, batch_id: str) -> Sequence[AnnotationEntry]:
    """Every annotation of a batch, cleared ones included, oldest first."""
    await _existing_batch(session, batch_id)
    found = (
        await session.scalars(
            select(Annotation)
            .where(Annotation.batch_id == batch_id)
            .order_by(Annotation.created_at, Annotation.id)
        )
    ).all()
    people = await _people(
        session,
        (user_id for a in found for user_id in (a.created_by, a.cleared_by, a.acknowledged_by)),
    )
    return [_entry(annotation, people) for annotation in found]


async def post_message(
    session: AsyncSession, user: User, batch_id: str, text: str, *, step_id: str | None = None
) -> ChatEntry:
    """Add a chat line to the batch, audited and sent to everyone following the batch."""
    await remarks.open_batch(session, batch_id)
    message = ChatMessage(
        batch_id=batch_id,
        step_id=await remarks.step_of(session, batch_id, step_id),
        text=text,
        created_at=utcnow(),
        created_by=user.id,
    )
    session.add(message)
    await session.flush()
    entry = ChatEntry(message, _person(user))
    summary = entry.summary()
    await audit.record(
        session,
        auth.actor_of(user),
        "chat.posted",
        "chat_message",
        message.id,
        new=summary,
        batch_id=batch_id,
    )
    stage(session, ChatEvent(batch_id=batch_id, message=summary))
    return entry


async def messages_of(session: AsyncSession, batch_id: str) -> Sequence[ChatEntry]:
    """The batch's chat, oldest first."""
    await _existing_batch(session, batch_id)
    found = (
        await session.scalars(
            select(ChatMessage)
            .where(ChatMessage.batch_id == batch_id)
            .order_by(ChatMessage.created_at, ChatMessage.id)
        )
    ).all()
    people = await _people(session, (message.created_by for message in found))
    return [ChatEntry(message, people[message.created_by]) for message in found]

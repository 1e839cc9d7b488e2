"""Storing and replaying the first answer to a request sent with an Idempotency-Key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import utcnow
from server.errors import Invalid
from server.idempotency.models import IdempotencyRecord


class KeyReused(Invalid):
    """The same key came back with a different request."""

    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was already used for a different request.",
            errors=[{"field": "Idempotency-Key", "message": "use a new key for a new request"}],
        )


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: str


async def find_answer(
    session: AsyncSession, user_id: str, key: str, fingerprint: str
) -> StoredAnswer | None:
    """The stored answer for this key, if the same request was already answered."""
    record = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key
        )
    )
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise KeyReused(key)
    return StoredAnswer(record.status_code, record.response)


async def claim(
    session: AsyncSession, *, user_id: str, key: str, method: str, path: str, fingerprint: str
) -> IdempotencyRecord:
    """Reserve the key before doing the work.

    A concurrent request with the same key blocks on the unique index until this
    transaction ends; if it commits, that request fails with an integrity error and is
    replayed from the stored answer; if it rolls back, that request does the work itself.
    """
    record = IdempotencyRecord(
        user_id=user_id,
        key=key,
        method=method,
        path=path,
        fingerprint=fingerprint,
        status_code=0,
        response="",
        created_at=utcnow(),
    )
    session.add(record)
    await session.flush()
    return record


def remember(record: IdempotencyRecord, answer: StoredAnswer) -> None:
    """Store the answer in the claimed record (committed with the write it answers)."""
    record.status_code, record.response = answer.status, answer.body

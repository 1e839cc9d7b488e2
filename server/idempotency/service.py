"""Storing and replaying the first answer to a request sent with an Idempotency-Key."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import utcnow
from server.errors import Invalid, Problem
from server.idempotency.models import IdempotencyRecord


class KeyReused(Invalid):
    """The same key came back with a different request."""

    def __init__(self, key: str) -> None:
        super().__init__(
            f"Idempotency-Key {key!r} was already used for a different request.",
            problems=[Problem("Idempotency-Key", "use a new key for a new request")],
        )


class KeyMalformed(Invalid):
    """An Idempotency-Key that cannot be one: empty, too long, or not printable ASCII."""

    def __init__(self) -> None:
        super().__init__(
            f"Idempotency-Key must be 1 to {MAX_KEY_CHARS} printable ASCII characters.",
            problems=[Problem("Idempotency-Key", "send a fresh UUID per request")],
        )


MAX_KEY_CHARS = 200  # the stored column's width


def checked_key(key: str) -> str:
    """The key as sent, if it can be one (a blank key would make unrelated requests equal)."""
    if not 0 < len(key) <= MAX_KEY_CHARS or not (key.isascii() and key.isprintable()):
        raise KeyMalformed()
    if not key.strip():
        raise KeyMalformed()
    return key


@dataclass(frozen=True)
class StoredAnswer:
    status: int
    body: str


@dataclass(frozen=True)
class Claim:
    """A key this transaction reserved; its answer is stored with `remember`."""

    record_id: str


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


# Every write request runs these: built once, on the table, without the ORM's bookkeeping.
_RECORDS = IdempotencyRecord.__table__
_NEW_CLAIM = {
    name: dialect.insert(_RECORDS)
    .on_conflict_do_nothing(index_elements=[_RECORDS.c.user_id, _RECORDS.c.key])
    .returning(_RECORDS.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_STORE_ANSWER = (
    update(_RECORDS)
    .where(_RECORDS.c.id == bindparam("record_id"))
    .values(status_code=bindparam("answer_status"), response=bindparam("answer_body"))
)


async def claim(
    session: AsyncSession, *, user_id: str, key: str, method: str, path: str, fingerprint: str
) -> Claim | StoredAnswer:
    """Reserve the key before doing the work, or the answer already stored for it.

    A concurrent request with the same key waits on the unique index until this
    transaction ends; if it commits, that request's insert does nothing and it replays the
    stored answer; if it rolls back, that request claims the key and does the work itself.
    One statement in the usual case, where the key is new.
    """
    record_id = await session.scalar(
        _NEW_CLAIM[session.get_bind().dialect.name],
        {
            "user_id": user_id,
            "key": key,
            "method": method,
            "path": path,
            "fingerprint": fingerprint,
            "status_code": 0,
            "response": "",
            "created_at": utcnow(),
        },
    )
    if record_id is not None:
        return Claim(record_id)
    answer = await find_answer(session, user_id, key, fingerprint)
    # The insert only does nothing once the claiming transaction has committed, and a
    # claim commits only with its answer.
    assert answer is not None, f"idempotency key {key!r} claimed without an answer"
    return answer


async def remember(session: AsyncSession, claimed: Claim, answer: StoredAnswer) -> None:
    """Store the answer in the claimed record (committed with the write it answers)."""
    stored = {"answer_status": answer.status, "answer_body": answer.body}
    await session.execute(_STORE_ANSWER, {"record_id": claimed.record_id, **stored})

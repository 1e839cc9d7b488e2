"""A batch's events numbered gap-free and kept, so a subscriber can read back what it missed.

Each event of a batch gets the batch's next `seq` inside the transaction that staged it, from
a counter row that transaction locks: the numbers commit with the data or not at all, and
two writers of one batch number (and commit) in turn, so `seq` order is commit order.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.events.models import BatchEventCounter, BatchEventRecord

# One statement takes the numbers and locks the counter row until commit (both backends).
_TAKE_SEQS = text(
    "INSERT INTO batch_event_counters (batch_id, last_seq) VALUES (:batch_id, :count) "
    "ON CONFLICT (batch_id) DO UPDATE "
    "SET last_seq = batch_event_counters.last_seq + excluded.last_seq "
    "RETURNING last_seq"
)
_KEEP = insert(BatchEventRecord.__table__)
# PostgreSQL: the numbers, the journal rows and (when events travel by NOTIFY) the NOTIFYs in
# one statement. Each payload is sent without its `seq`, which the statement puts first.
_NUMBERED = (
    "WITH taken AS ("
    "INSERT INTO batch_event_counters (batch_id, last_seq) VALUES (:batch_id, :count) "
    "ON CONFLICT (batch_id) DO UPDATE "
    "SET last_seq = batch_event_counters.last_seq + excluded.last_seq "
    "RETURNING last_seq), "
    "kept AS ("
    "INSERT INTO batch_events (batch_id, seq, at, type, payload) "
    "SELECT :batch_id, taken.last_seq - :count + e.n, e.at, e.type, "
    "'{\"seq\":' || (taken.last_seq - :count + e.n) || ',' || substr(e.body, 2) "
    "FROM taken CROSS JOIN unnest(CAST(:ats AS timestamptz[]), CAST(:types AS text[]), "
    "CAST(:bodies AS text[])) WITH ORDINALITY AS e(at, type, body, n) "
    "RETURNING seq, payload) "
)
# pg_notify is volatile, so PostgreSQL calls it after the sort: in seq order.
_NUMBER_AND_NOTIFY = text(
    _NUMBERED + "SELECT seq, pg_notify(:channel, payload) FROM kept ORDER BY seq"
)
_NUMBER = text(_NUMBERED + "SELECT seq FROM kept ORDER BY seq")
_HEAD = select(BatchEventCounter.last_seq).where(
    BatchEventCounter.batch_id == bindparam("batch_id")
)
_AFTER = (
    select(BatchEventRecord.seq, BatchEventRecord.payload)
    .where(
        BatchEventRecord.batch_id == bindparam("batch_id"),
        BatchEventRecord.seq > bindparam("after"),
    )
    .order_by(BatchEventRecord.seq)
    .limit(bindparam("limit"))
)


def wire_text(event: dict[str, Any]) -> str:
    """An event as sent on the WebSocket and kept in the journal."""
    return json.dumps(event, separators=(",", ":"))


def journal_key(event: dict[str, Any]) -> str | None:
    """Whose numbering an event takes: its batch's; a lot event (a lot has no batch) its
    lot's, under the lot's id in the same journal, so that the webhook outbox delivers a
    lot's events in order like a batch's. Ids are random UUIDs: the two never meet."""
    if event.get("batch_id") is not None:
        return event["batch_id"]
    return event.get("lot_id") if event.get("type") == "lot" else None


async def number(
    session: AsyncSession, events: list[dict[str, Any]], channel: str | None = None
) -> list[dict[str, Any]]:
    """Give each batch event (in place) its batch's next `seq` and keep it in the journal,
    in the session's transaction; a lot event its lot's; other events of no batch stay
    unnumbered. On PostgreSQL with a
    NOTIFY `channel`, batch events are also sent on it by the same statement. Returns the
    events still to be sent by the bus's transport.

    Counters are taken in batch id order, so two transactions that touch the same batches
    never wait on each other's counters crosswise.
    """
    by_batch: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        key = journal_key(event)
        if key is not None:
            by_batch.setdefault(key, []).append(event)
    if not by_batch:
        return events
    await session.flush()  # a batch created in this transaction exists for the counter's key
    if session.get_bind().dialect.name == "postgresql":
        for batch_id in sorted(by_batch):
            await _number_on_postgres(session, batch_id, by_batch[batch_id], channel)
        if channel is None:
            return events
        return [event for event in events if journal_key(event) is None]
    rows = []
    for batch_id in sorted(by_batch):
        batch_events = by_batch[batch_id]
        taken = {"batch_id": batch_id, "count": len(batch_events)}
        last = (await session.execute(_TAKE_SEQS, taken)).scalar_one()
        for seq, event in enumerate(batch_events, start=last - len(batch_events) + 1):
            event["seq"] = seq
            rows.append(
                {
                    "batch_id": batch_id,
                    "seq": seq,
                    "at": datetime.fromisoformat(event["at"]),
                    "type": event["type"],
                    "payload": wire_text(event),
                }
            )
    await session.execute(_KEEP, rows)
    return events


async def _number_on_postgres(
    session: AsyncSession, batch_id: str, batch_events: list[dict[str, Any]], channel: str | None
) -> None:
    """Number, keep and (with a `channel`) send one batch's events in one statement."""
    given = {
        "batch_id": batch_id,
        "count": len(batch_events),
        "ats": [datetime.fromisoformat(event["at"]) for event in batch_events],
        "types": [event["type"] for event in batch_events],
        "bodies": [wire_text(event) for event in batch_events],
    }
    if channel is None:
        found = await session.execute(_NUMBER, given)
    else:
        found = await session.execute(_NUMBER_AND_NOTIFY, {**given, "channel": channel})
    for (seq, *_), event in zip(found.all(), batch_events, strict=True):
        event["seq"] = seq


async def head(session: AsyncSession, batch_id: str) -> int:
    """The `seq` of the batch's newest committed event (0 before its first)."""
    return (await session.execute(_HEAD, {"batch_id": batch_id})).scalar_one_or_none() or 0


async def events_after(
    session: AsyncSession, batch_id: str, after: int, limit: int
) -> list[tuple[int, str]]:
    """Up to `limit` of the batch's events after `after`, in order, as (seq, wire text)."""
    found = await session.execute(_AFTER, {"batch_id": batch_id, "after": after, "limit": limit})
    return [(seq, payload) for seq, payload in found]

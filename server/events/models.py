"""The journal of batch events: every committed event of a batch, numbered gap-free."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base


class BatchEventRecord(Base):
    """One event of a batch as it was sent (`payload`, JSON text), under its `seq`.

    Written in the transaction that staged the event, so it exists exactly when the data
    it announces does; a subscriber that missed events reads them back from here.
    """

    __tablename__ = "batch_events"

    # No foreign key to batches, here or on the counter: checking one takes a share lock on
    # the batch row, which a step's completion holds FOR UPDATE while it waits for this
    # batch's counter; a writer that holds the counter (a stream starting) would then wait
    # for the batch row the other way round: a deadlock (seen on PostgreSQL).
    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime]
    type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text)


class BatchEventCounter(Base):
    """The last `seq` given to an event of a batch. Its row is locked by the transaction
    that takes the next numbers, so concurrent writers of one batch number in turn."""

    __tablename__ = "batch_event_counters"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)

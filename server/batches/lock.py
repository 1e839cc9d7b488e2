"""The lock of a decided batch: once QA released or rejected it, nothing writes to its record."""

from __future__ import annotations

from server.batches.exceptions import BatchLocked
from server.batches.models import Batch


def check_unlocked(batch: Batch) -> None:
    """Refuse any write to a released or rejected batch (BatchLocked), before anything else
    is checked or audited: a locked record changes in nothing, its audit trail included."""
    if batch.status.locked:
        raise BatchLocked(batch.batch_number, batch.status)

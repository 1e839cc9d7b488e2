"""Moving a batch from one status to another, in the audit trail and on its WebSocket."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from procedures.states import BatchStatus
from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.batches.models import Batch


async def change_status(
    session: AsyncSession,
    user: User,
    batch: Batch,
    status: BatchStatus,
    action: str,
    reason: str | None = None,
) -> None:
    """Move the batch to `status`, in the audit trail as `action`."""
    previous, batch.status = batch.status, status
    await audit.record(
        session,
        auth.actor_of(user),
        action,
        "batch",
        batch.id,
        old={"status": previous},
        new={"status": status},
        reason=reason,
        batch_id=batch.id,
    )

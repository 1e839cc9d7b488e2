"""Observations: a departure someone on the floor reports is a deviation of kind
`observation`, and it holds the batch like any other deviation when the procedure says it
blocks (raised at a blocking step, or `observation` among its `holds.kinds`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import User
from server.batches import holds
from server.batches.record import locked_batch
from server.deviations import lifecycle
from server.deviations.models import Deviation
from server.redlines.definitions import batch_definition


async def report(
    session: AsyncSession,
    user: User,
    batch_id: str,
    *,
    title: str,
    description: str,
    step_id: str | None,
    severity: str,
) -> Deviation:
    """Open the observation on the batch; hold the batch if it blocks and the batch has
    started (a batch not yet started has no step to hold)."""
    deviation = await lifecycle.raise_observation(
        session,
        user,
        batch_id,
        title=title,
        description=description,
        step_id=step_id,
        severity=severity,
    )
    batch = await locked_batch(session, batch_id)
    if batch.status.correctable:
        definition = await batch_definition(session, batch)
        await holds.hold_for(session, user, batch, definition, [deviation])
    return deviation

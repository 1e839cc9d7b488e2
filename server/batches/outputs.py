"""Output lots: what a step that `yields` produces when it is completed.

The lot is created in the step's transaction, in quarantine (QA releases it before a later
batch may use it, like a received lot), and linked to its batch by a `produced` use, so
genealogy walks from the lots a batch used to the lots it made.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from procedures.dispensing import convert
from procedures.model import Step
from server.auth.models import User
from server.batches.exceptions import OutputNotPossible
from server.batches.models import Batch
from server.clock import utcnow
from server.materials import service as materials
from server.materials.exceptions import MaterialNotFound
from server.materials.models import Lot, MaterialUse
from server.materials.numbering import Numbering


async def produce(
    session: AsyncSession,
    user: User,
    batch: Batch,
    step: Step,
    values: Mapping[str, object],
    numbering: Numbering,
) -> Lot:
    """The output lot of `step`, created once: completing the step again returns it."""
    output = step.yields
    assert output is not None
    existing = await materials.produced_in(session, batch.id, step.id)
    if existing is not None:
        return existing
    try:
        master = await materials.get_material(session, output.material)
    except MaterialNotFound as exc:
        reason = f"{output.material} is not in the material master"
        raise OutputNotPossible(step.id, reason) from exc
    recorded = Decimal(str(values[output.quantity_from]))
    try:
        quantity = convert(recorded, output.unit, master.unit)
    except ValueError as exc:
        reason = f"{output.unit} cannot be expressed in {master.unit}, the unit of {master.code}"
        raise OutputNotPossible(step.id, reason) from exc
    return await materials.produce_lot(
        session,
        user,
        master,
        numbering,
        quantity=quantity,
        expiry=await _expiry(session, batch.id, output.shelf_life_days),
        batch_id=batch.id,
        batch_number=batch.batch_number,
        step_id=step.id,
    )


async def _expiry(session: AsyncSession, batch_id: str, shelf_life_days: int) -> date:
    """The shelf life from today, but never beyond the earliest expiry of what the batch used."""
    earliest = await session.scalar(
        select(func.min(Lot.expiry))
        .join(MaterialUse, MaterialUse.lot_id == Lot.id)
        .where(MaterialUse.batch_id == batch_id, MaterialUse.kind != "produced")
    )
    shelf_life = utcnow().date() + timedelta(days=shelf_life_days)
    return shelf_life if earliest is None else min(earliest, shelf_life)

"""Balance readings taken before a dispense step's transaction opens.

A stable MT-SICS reading can take seconds (the pan settles). Read inside the step's
transaction, it would hold the batch row lock and, on SQLite, the one writer connection, so
every write of the server would queue behind one weighing. The reading is taken first, with
no transaction open; the transaction then checks the balance as usual and uses the reading.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import joinedload

from server.balances.mtsics import Reading
from server.batches.models import Batch
from server.equipment import weighing
from server.equipment.exceptions import BalanceNotReady
from server.equipment.models import Equipment
from server.equipment.rules import describe
from server.errors import StepwiseError
from server.networks import Network
from server.redlines.definitions import batch_definition
from server.scans.resolver import resolve


@dataclass(frozen=True)
class BalanceReadings:
    """What each balance (by equipment id) gave before the transaction: a reading, or why
    there is none, raised where the step uses it so refusals keep their order and audit."""

    outcomes: Mapping[str, Reading | BalanceNotReady] = field(default_factory=dict)

    def reading_of(self, balance: Equipment) -> Reading:
        """The balance's reading; BalanceNotReady if it gave none."""
        outcome = self.outcomes.get(balance.id)
        if outcome is None:
            raise BalanceNotReady(describe(balance), "it was not read for this step")
        if isinstance(outcome, BalanceNotReady):
            raise outcome
        return outcome


NO_READINGS = BalanceReadings()


async def read_ahead(
    sessions: async_sessionmaker[AsyncSession],
    networks: tuple[Network, ...],
    batch_id: str,
    step_id: str,
    values: Mapping[str, object],
) -> BalanceReadings:
    """Read the balance a dispense step's values name, unless its weight was typed in.

    Anything that does not add up (no such batch or step, not a dispense step, an unknown
    code) reads nothing: the step's transaction refuses it with the proper error.
    """
    if "balance" not in values:
        return NO_READINGS  # not a dispense step's values: no need to look
    async with sessions() as session:
        balance = await _balance_to_read(session, batch_id, step_id, values)
    if balance is None:
        return BalanceReadings()
    try:
        outcome: Reading | BalanceNotReady = await weighing.stable_net_weight(balance, networks)
    except BalanceNotReady as exc:
        outcome = exc
    return BalanceReadings({balance.id: outcome})


async def _balance_to_read(
    session: AsyncSession, batch_id: str, step_id: str, values: Mapping[str, object]
) -> Equipment | None:
    batch = await session.get(Batch, batch_id, options=[joinedload(Batch.procedure_version)])
    if batch is None:
        return None
    try:
        step = (await batch_definition(session, batch)).step(step_id)
    except KeyError:
        return None
    code = values.get("balance")
    if step.dispense is None or values.get(step.dispense.name) is not None:
        return None
    if not isinstance(code, str) or not code.strip():
        return None
    try:
        found = await resolve(session, code, "values.balance")
    except StepwiseError:
        return None
    return found.equipment if found is not None else None

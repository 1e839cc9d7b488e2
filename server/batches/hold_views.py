"""A batch's holds as the record shows them: who raised each, the deviation behind it, who
approved its continuation and when."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from server.auth import service as auth
from server.auth.models import User
from server.batches.models import BatchHold
from server.clock import isoformat
from server.deviations.models import Deviation


@dataclass(frozen=True)
class HoldView:
    """A hold with the people and deviation number it names."""

    hold: BatchHold
    deviation_number: str | None
    people: Mapping[str, User]

    @property
    def approvers(self) -> set[str]:
        """Ids of the users who approved continuation so far."""
        return {approval.user_id for approval in self.hold.approvals}

    def describe(self) -> dict[str, Any]:
        """The hold in JSON types, as the API shows it (and a 409 on a held batch names it)."""
        hold = self.hold
        return {
            "id": hold.id,
            "step_id": hold.step_id,
            "deviation_id": hold.deviation_id,
            "deviation_number": self.deviation_number,
            "reason": hold.reason,
            "raised_by": self._person(hold.raised_by),
            "raised_at": isoformat(hold.raised_at),
            "approvals_required": hold.approvals_required,
            "approvals": [
                {
                    "by": self._person(approval.user_id),
                    "at": isoformat(approval.approved_at),
                    "comment": approval.comment,
                }
                for approval in hold.approvals
            ],
            "lifted_at": isoformat(hold.lifted_at) if hold.lifted_at else None,
        }

    def _person(self, user_id: str) -> dict[str, str]:
        user = self.people[user_id]
        return {"username": user.username, "full_name": user.full_name}


def _holds_query(batch_id: str) -> Select[tuple[BatchHold]]:
    return (
        select(BatchHold)
        .where(BatchHold.batch_id == batch_id)
        .options(selectinload(BatchHold.approvals))
        .order_by(BatchHold.raised_at, BatchHold.id)
    )


async def batch_holds(session: AsyncSession, batch_id: str) -> Sequence[BatchHold]:
    """The batch's holds with their approvals, in the order they were raised."""
    return (await session.scalars(_holds_query(batch_id))).all()


async def hold_views(
    session: AsyncSession, batch_id: str, hold_id: str | None = None
) -> list[HoldView]:
    """The batch's holds in the order they were raised (or only `hold_id`)."""
    query = _holds_query(batch_id).execution_options(populate_existing=True)
    if hold_id is not None:
        query = query.where(BatchHold.id == hold_id)
    holds = (await session.scalars(query)).all()
    return await views_of(session, holds)


async def views_of(session: AsyncSession, holds: Sequence[BatchHold]) -> list[HoldView]:
    """Holds with their people and deviation numbers, read in two queries."""
    if not holds:
        return []
    user_ids = {h.raised_by for h in holds} | {a.user_id for h in holds for a in h.approvals}
    people = await auth.users_by_id(session, user_ids)
    deviation_ids = {h.deviation_id for h in holds if h.deviation_id}
    found = await session.execute(
        select(Deviation.id, Deviation.number).where(Deviation.id.in_(deviation_ids))
    )
    numbers = {row.id: row.number for row in found}
    return [
        HoldView(h, numbers.get(h.deviation_id) if h.deviation_id else None, people) for h in holds
    ]

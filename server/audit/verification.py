"""Verifying the whole audit trail: its chain, its seals, and the tables it describes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.audit.anchors import Anchor, anchor_problems
from server.audit.keys import SealVerifier
from server.audit.models import AuditEntry
from server.audit.replay import Difference, replay_batches
from server.audit.seals import SealProblem, verify_seals


@dataclass(frozen=True)
class TrailReport:
    """Everything verification found; `ok` only when nothing is wrong anywhere."""

    entries: int
    first_broken: int | None
    seals: int
    sealed_through: int
    unsealed_entries: int
    seal_problems: tuple[SealProblem, ...]
    differences: tuple[Difference, ...]

    @property
    def ok(self) -> bool:
        return self.first_broken is None and not self.seal_problems and not self.differences


async def verify_trail(
    session: AsyncSession, verifier: SealVerifier | None, anchors: Iterable[Anchor] = ()
) -> TrailReport:
    """Walk the chain, check every seal against `verifier` and each kept seal (`anchors`),
    and replay every batch."""
    chain = await audit.verify_chain(session)
    sealed = await verify_seals(session, verifier)
    kept = await anchor_problems(session, anchors)
    after_seal = await session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.seq > sealed.sealed_through)
    )
    return TrailReport(
        entries=chain.entries,
        first_broken=chain.first_broken,
        seals=sealed.seals,
        sealed_through=sealed.sealed_through,
        unsealed_entries=after_seal or 0,
        seal_problems=(*sealed.problems, *kept),
        differences=tuple(await replay_batches(session)),
    )

"""Verifying the whole audit trail (every chain, every seal, the tables it describes), or
one batch's chain on its own."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.anchors import Anchor, anchor_problems
from server.audit.chain import ChainBreak, chain_of
from server.audit.chains import ChainHead, ChainsReport, verify_chain, verify_chains
from server.audit.keys import SealVerifier
from server.audit.models import AuditChain
from server.audit.replay import Difference, replay_batches
from server.audit.seals import SealProblem, SealReport, verify_seals


@dataclass(frozen=True)
class TrailReport:
    """Everything verification found; `ok` only when nothing is wrong anywhere."""

    entries: int
    chains: int
    breaks: tuple[ChainBreak, ...]
    seals: int
    sealed_through: int
    unsealed_entries: int
    seal_problems: tuple[SealProblem, ...]
    differences: tuple[Difference, ...]

    @property
    def first_break(self) -> ChainBreak | None:
        return self.breaks[0] if self.breaks else None

    @property
    def ok(self) -> bool:
        return not self.breaks and not self.seal_problems and not self.differences


@dataclass(frozen=True)
class BatchChainReport:
    """One batch's chain: its head, its first break, and the seals that name it."""

    chain: str
    head: ChainHead | None
    first_break: ChainBreak | None
    seals: int
    sealed_seq: int
    seal_problems: tuple[SealProblem, ...]

    @property
    def ok(self) -> bool:
        return self.first_break is None and not self.seal_problems


def _unsealed(chains: ChainsReport, sealed: dict[str, tuple[int, int]]) -> int:
    return sum(
        max(0, head.chain_seq - sealed.get(name, (0, 0))[0]) for name, head in chains.heads.items()
    )


async def _sealed_positions(session: AsyncSession) -> dict[str, int]:
    """How far each chain's head row says it was sealed (read before the seals, so every
    seal it reflects is committed and seen)."""
    rows = await session.execute(
        select(AuditChain.chain, AuditChain.sealed_seq).where(AuditChain.sealed_seq > 0)
    )
    return {chain: position for chain, position in rows.all()}


def _vanished_seals(recorded: dict[str, int], sealed: SealReport) -> list[SealProblem]:
    """Chains sealed further than any seal left says: the newest seals were deleted."""
    return [
        SealProblem(
            sealed.seals + 1,
            f"chain {chain} was sealed through entry {position} but no seal names it",
            chain,
            position,
        )
        for chain, position in sorted(recorded.items())
        if sealed.sealed.get(chain, (0, 0))[0] < position
    ]


async def verify_trail(
    session: AsyncSession, verifier: SealVerifier | None, anchors: Iterable[Anchor] = ()
) -> TrailReport:
    """Walk every chain, check every seal against `verifier` and each kept seal (`anchors`),
    and replay every batch."""
    recorded = await _sealed_positions(session)
    chains = await verify_chains(session)
    sealed = await verify_seals(session, verifier)
    kept = await anchor_problems(session, anchors)
    return TrailReport(
        entries=chains.entries,
        chains=len(chains.heads),
        breaks=tuple(chains.breaks),
        seals=sealed.seals,
        sealed_through=sealed.sealed_through,
        unsealed_entries=_unsealed(chains, sealed.sealed),
        seal_problems=(*sealed.problems, *_vanished_seals(recorded, sealed), *kept),
        differences=tuple(await replay_batches(session)),
    )


async def verify_batch_chain(
    session: AsyncSession, batch_id: str, verifier: SealVerifier | None
) -> BatchChainReport:
    """Verify one batch's chain from the genesis, and every seal that names it."""
    name = chain_of(batch_id)
    chain = ChainsReport()
    await verify_chain(session, name, chain)
    sealed = await verify_seals(session, verifier, name)
    return BatchChainReport(
        chain=name,
        head=chain.heads.get(name),
        first_break=chain.breaks[0] if chain.breaks else None,
        seals=sealed.seals,
        sealed_seq=sealed.sealed.get(name, (0, 0))[0],
        seal_problems=sealed.problems,
    )

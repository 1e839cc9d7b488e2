"""Sealing the trail: signed checkpoints that make rewriting or cutting short the chain evident.

A seal records the head (position in its chain, hash) of every chain that moved since the
seal before it, as `{chain: {"seq", "hash"}}` (for the legacy chain `trail`, the position is
the global seq), chains to the previous seal, and is signed with a key outside the database.
Verification checks every seal's link and signature, and that the entry each seal names still
exists with the hash it had: so an entry sealed once can neither change (even with its chain
recomputed after it) nor vanish. What a seal cannot cover is what came after the newest one:
at most `Settings.seal_seconds` of entries, or less when a batch was completed or decided.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.chain import GENESIS_HASH, LEGACY
from server.audit.chains import positions
from server.audit.keys import SealKey, SealVerifier
from server.audit.models import AuditChain, AuditEntry, AuditSeal
from server.canonical import canonical_json, sha256_hex
from server.clock import isoformat, utcnow
from server.db.engine import Database

SEAL_LOCK = 7_114_002
CHUNK = 1000
_LOCK_SEALS = text(f"SELECT pg_advisory_xact_lock({SEAL_LOCK})")
_MOVED = select(AuditChain.chain, AuditChain.chain_seq, AuditChain.hash).where(
    AuditChain.chain_seq > AuditChain.sealed_seq
)
_chains = AuditChain.__table__.c
_MARK_SEALED = (
    update(AuditChain.__table__)
    .where(_chains.chain == bindparam("name"), _chains.sealed_seq < bindparam("position"))
    .values(sealed_seq=bindparam("position"))
)
_NEWEST = select(AuditSeal).order_by(AuditSeal.seq.desc()).limit(1)


@dataclass(frozen=True)
class SealFields:
    """What a seal's hash and signature cover."""

    seq: int
    sealed_at: datetime
    heads: str
    key_id: str

    def message(self, prev_hash: str) -> str:
        """The canonical text that is hashed and signed."""
        return canonical_json(
            {
                "seq": self.seq,
                "sealed_at": isoformat(self.sealed_at),
                "heads": _parsed(self.heads),
                "key_id": self.key_id,
                "prev_hash": prev_hash,
            }
        )


@dataclass(frozen=True)
class SealProblem:
    """A seal that does not hold, and why; the chain entry it names, when that is the why."""

    seal: int
    detail: str
    chain: str | None = None
    chain_seq: int | None = None


@dataclass(frozen=True)
class SealReport:
    """How many seals, how far each chain is sealed (position, global seq), every problem."""

    seals: int
    sealed: dict[str, tuple[int, int]]
    problems: tuple[SealProblem, ...]

    @property
    def sealed_through(self) -> int:
        """The highest global seq of any sealed entry."""
        return max((seq for _, seq in self.sealed.values()), default=0)


def _parsed(text: str) -> Any:
    """JSON text as its value; text that is not JSON (tampered) as itself, so its hash fails."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def heads_of(seal: AuditSeal) -> dict[str, tuple[int, str]]:
    """The chain heads (position, hash) a seal names as the server writes them; none if its
    text was tampered into something else."""
    heads = _parsed(seal.heads)
    if not isinstance(heads, dict):
        return {}
    found = {}
    for chain, head in heads.items():
        if isinstance(head, dict):
            seq, digest = head.get("seq"), head.get("hash")
            if isinstance(seq, int) and isinstance(digest, str):
                found[chain] = (seq, digest)
    return found


async def newest_seal(session: AsyncSession) -> AuditSeal | None:
    """The newest seal, if any."""
    return await session.scalar(_NEWEST)


async def seal(session: AsyncSession, key: SealKey) -> AuditSeal | None:
    """Seal the head of every chain that moved since the newest seal; the new seal, or None."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_LOCK_SEALS)
    # Marked in the order appends lock heads (Python's, not the database collation's).
    moved = sorted((await session.execute(_MOVED)).all(), key=lambda head: head[0])
    if not moved:
        return None
    newest = await session.scalar(_NEWEST)
    heads = {chain: {"seq": position, "hash": digest} for chain, position, digest in moved}
    fields = SealFields(
        seq=newest.seq + 1 if newest else 1,
        sealed_at=utcnow(),
        heads=canonical_json(heads),
        key_id=key.verifier.key_id,
    )
    prev_hash = newest.hash if newest else GENESIS_HASH
    message = fields.message(prev_hash)
    row = {
        **vars(fields),
        "prev_hash": prev_hash,
        "hash": sha256_hex(message),
        "signature": key.sign(message),
    }
    await session.execute(insert(AuditSeal.__table__), [row])
    await session.execute(
        _MARK_SEALED, [{"name": chain, "position": position} for chain, position, _ in moved]
    )
    return await session.get(AuditSeal, fields.seq)


async def seal_now(database: Database, key: SealKey) -> AuditSeal | None:
    """Seal the moved chain heads in a transaction of its own."""
    async with database.sessions()() as session, session.begin():
        return await seal(session, key)


def _seal_problems(
    seal: AuditSeal, expected: tuple[int, str], verifier: SealVerifier | None
) -> list[str]:
    """What is wrong with one seal itself: its place, link, hash, key and signature."""
    expected_seq, expected_prev = expected
    fields = SealFields(seal.seq, seal.sealed_at, seal.heads, seal.key_id)
    message = fields.message(seal.prev_hash)
    problems = []
    if seal.seq != expected_seq:
        problems.append(f"seal {expected_seq} is missing")
    if seal.prev_hash != expected_prev:
        problems.append("does not link to the seal before it")
    if sha256_hex(message) != seal.hash:
        problems.append("its content does not match its hash")
    if verifier is None:
        problems.append("no public key to check its signature")
    elif seal.key_id != verifier.key_id:
        problems.append(f"signed with another key ({seal.key_id[:12]})")
    elif not verifier.verifies(seal.signature, message):
        problems.append("its signature is not valid")
    return problems


async def _sealed_entries(
    session: AsyncSession, heads: list[tuple[str, int]]
) -> dict[tuple[str, int], tuple[int, str]]:
    """The (global seq, hash) of each (chain, position) named, where that entry exists."""
    legacy = [position for chain, position in heads if chain == LEGACY]
    others = [(chain, position) for chain, position in heads if chain != LEGACY]
    conditions = []
    if legacy:
        conditions.append(AuditEntry.chain.is_(None) & AuditEntry.seq.in_(legacy))
    if others:
        conditions.append(positions(others))
    if not conditions:
        return {}
    rows = await session.execute(
        select(AuditEntry.chain, AuditEntry.chain_seq, AuditEntry.seq, AuditEntry.hash).where(
            or_(*conditions)
        )
    )
    return {
        (chain or LEGACY, seq if chain is None else position): (seq, digest)
        for chain, position, seq, digest in rows.all()
    }


def _head_problems(
    seal: AuditSeal,
    heads: dict[str, tuple[int, str]],
    stored: dict[tuple[str, int], tuple[int, str]],
    sealed: dict[str, tuple[int, int]],
) -> list[SealProblem]:
    """Each chain head a seal names must still exist with its hash, and not go backwards."""
    problems = []
    for chain, (position, digest) in sorted(heads.items()):
        found = stored.get((chain, position))
        if found is None or found[1] != digest:
            state = "missing" if found is None else "changed"
            detail = f"chain {chain} entry {position} it seals is {state}"
            problems.append(SealProblem(seal.seq, detail, chain, position))
        if position < sealed.get(chain, (0, 0))[0]:
            detail = f"seals an older head of chain {chain} than the seal before it"
            problems.append(SealProblem(seal.seq, detail, chain, position))
        elif found is not None:
            sealed[chain] = (position, found[0])
    return problems


async def verify_seals(
    session: AsyncSession, verifier: SealVerifier | None, chain: str | None = None
) -> SealReport:
    """Check every seal, and that every entry a seal names still has the sealed hash.

    With `chain`, only the seals naming that chain, their links to each other unchecked.
    """
    problems: list[SealProblem] = []
    sealed: dict[str, tuple[int, int]] = {}
    expected = (1, GENESIS_HASH)
    count = 0
    query = select(AuditSeal).order_by(AuditSeal.seq).limit(CHUNK)
    if chain is not None:
        query = query.where(AuditSeal.heads.contains(canonical_json(chain), autoescape=True))
    while True:
        chunk: Sequence[AuditSeal] = (
            await session.scalars(query.where(AuditSeal.seq >= expected[0]))
        ).all()
        if not chunk:
            return SealReport(count, sealed, tuple(problems))
        heads = {item.seq: heads_of(item) for item in chunk}
        if chain is not None:
            heads = {
                seq: {c: h for c, h in named.items() if c == chain} for seq, named in heads.items()
            }
        named = [(c, head[0]) for found in heads.values() for c, head in found.items()]
        stored = await _sealed_entries(session, named)
        for item in chunk:
            if chain is not None:
                expected = (item.seq, item.prev_hash)
            found = [
                SealProblem(item.seq, detail) for detail in _seal_problems(item, expected, verifier)
            ]
            if not heads[item.seq]:
                found.append(SealProblem(item.seq, "names no chain head"))
            found += _head_problems(item, heads[item.seq], stored, sealed)
            problems.extend(found)
            expected = (item.seq + 1, item.hash)
        count += len(chunk)

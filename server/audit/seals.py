"""Sealing the trail: signed checkpoints that make rewriting or cutting short the chain evident.

A seal records the head (seq, hash) of each chain, chains to the previous seal, and is signed
with a key outside the database. Verification checks every seal's link and signature, and
that the entry each seal names still exists with the hash it had: so an entry sealed once
can neither change (even with the chain recomputed after it) nor vanish. What a seal cannot
cover is what came after the newest one: at most `Settings.seal_seconds` of entries.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.chain import GENESIS_HASH
from server.audit.keys import SealKey, SealVerifier
from server.audit.models import AuditEntry, AuditSeal
from server.canonical import canonical_json, sha256_hex
from server.clock import isoformat, utcnow
from server.db.engine import Database

# The one chain today. Per-batch chains (issue 12) add their heads under their own names.
TRAIL = "trail"
SEAL_LOCK = 7_114_002
CHUNK = 1000
_LOCK_SEALS = text(f"SELECT pg_advisory_xact_lock({SEAL_LOCK})")
_HEAD = select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
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
    """A seal that does not hold, and why."""

    seal: int
    detail: str


@dataclass(frozen=True)
class SealReport:
    """How many seals, the newest sealed entry, and every seal that does not hold."""

    seals: int
    sealed_through: int
    problems: tuple[SealProblem, ...]


def _parsed(text: str) -> Any:
    """JSON text as its value; text that is not JSON (tampered) as itself, so its hash fails."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def _heads_of(seal: AuditSeal) -> dict[str, dict[str, Any]]:
    """The chain heads a seal names (none, if its text was tampered into something else)."""
    heads = _parsed(seal.heads)
    return heads if isinstance(heads, dict) else {}


def trail_head(seal: AuditSeal) -> tuple[int, str] | None:
    """The (seq, hash) of the trail a seal names, if it names one as the server writes it."""
    head = _heads_of(seal).get(TRAIL)
    if not isinstance(head, dict):
        return None
    seq, digest = head.get("seq"), head.get("hash")
    return (seq, digest) if isinstance(seq, int) and isinstance(digest, str) else None


async def newest_seal(session: AsyncSession) -> AuditSeal | None:
    """The newest seal, if any."""
    return await session.scalar(_NEWEST)


async def seal(session: AsyncSession, key: SealKey) -> AuditSeal | None:
    """Seal the trail's head if it moved since the newest seal; the new seal, or None."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_LOCK_SEALS)
    head = (await session.execute(_HEAD)).first()
    if head is None:
        return None
    newest = await session.scalar(_NEWEST)
    heads = {TRAIL: {"seq": head[0], "hash": head[1]}}
    sealed = trail_head(newest) if newest is not None else None
    if sealed is not None and sealed[0] >= head[0]:
        return None  # nothing new; or the chain was cut short, which verification reports
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
    return await session.get(AuditSeal, fields.seq)


async def seal_now(database: Database, key: SealKey) -> AuditSeal | None:
    """Seal the trail's head in a transaction of its own, if it moved."""
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


async def _sealed_hashes(session: AsyncSession, seqs: set[int]) -> dict[int, str]:
    rows = await session.execute(
        select(AuditEntry.seq, AuditEntry.hash).where(AuditEntry.seq.in_(seqs))
    )
    return {seq: digest for seq, digest in rows.all()}


async def verify_seals(session: AsyncSession, verifier: SealVerifier | None) -> SealReport:
    """Check every seal, and that every entry a seal names still has the sealed hash."""
    problems: list[SealProblem] = []
    expected = (1, GENESIS_HASH)
    count, sealed_through = 0, 0
    while True:
        chunk: Sequence[AuditSeal] = (
            await session.scalars(
                select(AuditSeal)
                .where(AuditSeal.seq >= expected[0])
                .order_by(AuditSeal.seq)
                .limit(CHUNK)
            )
        ).all()
        if not chunk:
            return SealReport(count, sealed_through, tuple(problems))
        heads = {item.seq: trail_head(item) for item in chunk}
        stored = await _sealed_hashes(session, {head[0] for head in heads.values() if head})
        for item in chunk:
            found = _seal_problems(item, expected, verifier)
            head = heads[item.seq]
            if head is None:
                found.append("names no head of the trail")
            else:
                if stored.get(head[0]) != head[1]:
                    state = "missing" if head[0] not in stored else "changed"
                    found.append(f"entry {head[0]} it seals is {state}")
                if head[0] < sealed_through:
                    found.append("seals an older head than the seal before it")
                sealed_through = max(sealed_through, head[0])
            problems.extend(SealProblem(item.seq, detail) for detail in found)
            expected = (item.seq + 1, item.hash)
        count += len(chunk)

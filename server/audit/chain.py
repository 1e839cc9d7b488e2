"""The hash chain itself: pure functions, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from server.canonical import canonical_json, sha256_hex
from server.clock import isoformat

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class ChainFields:
    """Every field of an audit entry that its hash covers."""

    seq: int
    at: datetime
    actor_id: str | None
    actor: str
    action: str
    entity_type: str
    entity_id: str
    batch_id: str | None
    old: str | None
    new: str | None
    reason: str | None

    def digest(self, prev_hash: str) -> str:
        """SHA-256 over the previous hash and this entry's canonical form."""
        body = {
            "seq": self.seq,
            "at": isoformat(self.at),
            "actor_id": self.actor_id,
            "actor": self.actor,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "batch_id": self.batch_id,
            "old": self.old,
            "new": self.new,
            "reason": self.reason,
        }
        return sha256_hex(prev_hash + canonical_json(body))


@dataclass(frozen=True)
class ChainReport:
    """Result of walking the chain: `first_broken` is the seq of the first bad entry."""

    ok: bool
    entries: int
    first_broken: int | None = None


def first_broken_link(
    entries: list[tuple[ChainFields, str, str]], *, after: tuple[int, str]
) -> int | None:
    """The seq of the first entry whose position, link or hash is wrong, or None.

    `entries` are (fields, prev_hash, hash) in seq order; `after` is the (seq, hash) of the
    entry before them (0 and the genesis hash at the start).
    """
    expected_seq, expected_prev = after
    for fields, prev_hash, stored_hash in entries:
        expected_seq += 1
        if fields.seq != expected_seq or prev_hash != expected_prev:
            return fields.seq
        if fields.digest(prev_hash) != stored_hash:
            return fields.seq
        expected_prev = stored_hash
    return None

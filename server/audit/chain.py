"""The hash chains themselves: pure functions, no database.

Before issue 12 the trail was one chain (`LEGACY`): entries without a chain name, positioned
by their global `seq`, hashed without chain fields. Since then each batch has its own chain
and everything else goes to the site chain; their entries carry `chain` and `chain_seq` and
their hash covers both. Each new chain starts from the legacy chain's last hash.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from server.canonical import canonical_json, sha256_hex
from server.clock import isoformat

GENESIS_HASH = "0" * 64
LEGACY = "trail"
SITE = "site"
BATCH_PREFIX = "batch:"


def chain_of(batch_id: str | None) -> str:
    """The chain an entry belongs to: its batch's, or the site's."""
    return f"{BATCH_PREFIX}{batch_id}" if batch_id else SITE


@dataclass(frozen=True)
class ChainFields:
    """Every field of an audit entry that its hash covers (`chain` None: the legacy chain)."""

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
    chain: str | None = None
    chain_seq: int | None = None

    @property
    def chain_name(self) -> str:
        return self.chain or LEGACY

    @property
    def position(self) -> int:
        """Where the entry stands in its chain (legacy entries: their global seq)."""
        return self.seq if self.chain is None or self.chain_seq is None else self.chain_seq

    def digest(self, prev_hash: str) -> str:
        """SHA-256 over the previous hash and this entry's canonical form."""
        body: dict[str, object] = {
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
        if self.chain is not None:
            body |= {"chain": self.chain, "chain_seq": self.chain_seq}
        return sha256_hex(prev_hash + canonical_json(body))


@dataclass(frozen=True)
class ChainBreak:
    """The first entry of a chain whose position, link or hash is wrong (`seq` None:
    the entry is missing, the chain ends before its head row says it does)."""

    chain: str
    chain_seq: int
    seq: int | None


def first_broken_link(
    entries: Iterable[tuple[ChainFields, str, str]], *, after: tuple[int, str]
) -> ChainFields | None:
    """The first entry of one chain whose position, link or hash is wrong, or None.

    `entries` are (fields, prev_hash, hash) in chain order; `after` is the (position, hash)
    of the entry before them (0 and the chain's genesis hash at the start).
    """
    expected_position, expected_prev = after
    for fields, prev_hash, stored_hash in entries:
        expected_position += 1
        if fields.position != expected_position or prev_hash != expected_prev:
            return fields
        if fields.digest(prev_hash) != stored_hash:
            return fields
        expected_prev = stored_hash
    return None

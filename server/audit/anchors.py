"""Seals remembered outside the database: an anchor a seal must still match.

Cutting the newest entries off the trail together with the newest seals leaves a shorter
trail whose seals all hold. An anchor defeats that: the server writes the newest seal's
(seq, hash) to a file beside its key after each seal, and a site may keep printed ones
(`stepwise audit seal`); each must still be in the database, with the same hash.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditSeal
from server.audit.seals import SealProblem


@dataclass(frozen=True)
class Anchor:
    """A seal kept elsewhere: its seq and hash, written `SEQ:HASH`."""

    seq: int
    hash: str

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        """`SEQ:HASH` as `stepwise audit seal` prints it (ValueError otherwise)."""
        seq, _, digest = text.strip().partition(":")
        if len(digest) != 64 or not seq.isdigit():
            raise ValueError(f"{text!r} is not a seal as SEQ:HASH")
        return cls(int(seq), digest.lower())


def anchor_file(key_file: Path) -> Path:
    """Where the server keeps its newest seal: beside the key, outside the database."""
    return key_file.with_name(key_file.name + ".anchor")


def keep(path: Path, seal: AuditSeal) -> None:
    """Remember `seal` in `path`, replacing an older one atomically.

    Several server processes on one data directory (`serve --workers N`) seal in turn, but may
    come to write here in another order: they take turns on a lock file, and a newer seal kept
    is never replaced by an older one.
    """
    with path.with_name(path.name + ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = kept(path)
        if current is not None and current.seq >= seal.seq:
            return
        partial = path.with_name(path.name + ".partial")
        partial.write_text(f"{Anchor(seal.seq, seal.hash)}\n")
        os.replace(partial, path)


def kept(path: Path) -> Anchor | None:
    """The seal remembered in `path`, if any."""
    try:
        return Anchor.parse(path.read_text())
    except FileNotFoundError:
        return None


async def anchor_problems(session: AsyncSession, anchors: Iterable[Anchor]) -> list[SealProblem]:
    """Each anchor whose seal is gone from the database or has another hash."""
    problems = []
    for anchor in anchors:
        stored = await session.scalar(select(AuditSeal.hash).where(AuditSeal.seq == anchor.seq))
        if stored != anchor.hash:
            state = "missing" if stored is None else "changed"
            problems.append(SealProblem(anchor.seq, f"a seal kept outside the database is {state}"))
    return problems

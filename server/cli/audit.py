"""`stepwise audit verify|public-key|seal`: check the trail, and what a site keeps outside it."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from server.audit import anchors, seals
from server.audit.anchors import Anchor
from server.audit.keys import SealVerifier, load_key, load_or_create_key, load_public_key
from server.audit.schemas import ChainReportOut
from server.audit.verification import verify_trail
from server.cli.errors import CommandFailed
from server.cli.existing import require_database
from server.config import Settings
from server.db.engine import Database

WithDatabase = Callable[[Settings, Callable[[Database], Awaitable[int]]], Awaitable[int]]


def _verifier(args: argparse.Namespace, settings: Settings) -> SealVerifier | None:
    """The site's public key if given, else the server's own key file's, else none."""
    if args.public_key:
        return load_public_key(Path(args.public_key))
    try:
        return load_key(settings.effective_audit_key_file).verifier
    except FileNotFoundError:
        return None


def _anchors(args: argparse.Namespace, settings: Settings) -> list[Anchor]:
    """The seals given with --seal, and the one the server kept beside its key."""
    server_kept = anchors.kept(anchors.anchor_file(settings.effective_audit_key_file))
    return [*args.seal, *([server_kept] if server_kept else [])]


def _verify(args: argparse.Namespace, settings: Settings, with_database: WithDatabase) -> int:
    require_database(settings)
    verifier, kept = _verifier(args, settings), _anchors(args, settings)

    async def work(database: Database) -> int:
        async with database.sessions(readonly=True)() as session, session.begin():
            report = await verify_trail(session, verifier, kept)
        print(ChainReportOut.of(report).model_dump_json(exclude_none=True))
        if report.ok:
            return 0
        broken = report.first_break
        reasons = [f"chain {broken.chain} broken at entry {broken.chain_seq}"] if broken else []
        reasons += [f"seal {p.seal}: {p.detail}" for p in report.seal_problems[:3]]
        reasons += [
            f"{d.batch_number} {d.step or '-'} {d.field}: table {d.table!r}, trail {d.trail!r}"
            for d in report.differences[:3]
        ]
        raise CommandFailed(f"audit trail {'; '.join(reasons)}")

    return asyncio.run(with_database(settings, work))


def _public_key(_args: argparse.Namespace, settings: Settings, _with: WithDatabase) -> int:
    print(load_or_create_key(settings.effective_audit_key_file).verifier.pem(), end="")
    return 0


def _seal(_args: argparse.Namespace, settings: Settings, with_database: WithDatabase) -> int:
    key = load_or_create_key(settings.effective_audit_key_file)

    async def work(database: Database) -> int:
        sealed = await seals.seal_now(database, key)
        if sealed is not None:
            anchors.keep(anchors.anchor_file(settings.effective_audit_key_file), sealed)
        async with database.sessions(readonly=True)() as session:
            newest = await seals.newest_seal(session)
        if newest is None:
            print("the audit trail is empty: nothing to seal")
            return 0
        heads = seals.heads_of(newest)
        covers = f"heads of {len(heads)} chains" if heads else "names no head: run audit verify"
        print(f"seal {Anchor(newest.seq, newest.hash)} ({covers})")
        return 0

    return asyncio.run(with_database(settings, work))


def add_audit_commands(commands: Any, with_database: WithDatabase) -> None:
    """Register `audit verify [--public-key FILE]`, `audit public-key` and `audit seal`."""
    audit = commands.add_parser("audit", help="audit trail").add_subparsers(
        dest="audit", required=True
    )
    verify = audit.add_parser(
        "verify", help="verify the hash chain, its signed seals and the record tables"
    )
    verify.add_argument("--public-key", metavar="FILE", help="the seal key the site kept (PEM)")
    verify.add_argument(
        "--seal",
        metavar="SEQ:HASH",
        type=Anchor.parse,
        action="append",
        default=[],
        help="a seal kept outside the database (as `audit seal` printed it); repeatable",
    )
    public_key = audit.add_parser("public-key", help="print the seal key's public half (PEM)")
    seal = audit.add_parser("seal", help="seal the trail now and print the newest seal's hash")
    for parser, run in ((verify, _verify), (public_key, _public_key), (seal, _seal)):
        parser.set_defaults(run=lambda args, settings, run=run: run(args, settings, with_database))

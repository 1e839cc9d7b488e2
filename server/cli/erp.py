"""`stepwise orders import FILE --as USER`, `stepwise materials import FILE --as USER` (JSON
or B2MML XML, by the file's first character) and `stepwise epcis batch|lot REF [-o FILE]`:
ERP documents in, genealogy out as EPCIS 2.0, without the server running."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from server.auth import service as auth
from server.auth.models import User
from server.cli.audit import WithDatabase
from server.cli.errors import CommandFailed
from server.cli.existing import require_database
from server.concurrency import run_blocking
from server.config import Settings
from server.db.engine import Database
from server.db.unit_of_work import unit_of_work
from server.epcis import service as epcis
from server.events.bus import EventBus
from server.materials.numbering import Numbering
from server.orders import master_data
from server.orders import service as orders
from server.orders.schemas import read_material_information, read_orders

IMPORTERS = {"orders": frozenset({"supervisor", "admin"}), "materials": frozenset({"qa", "admin"})}


async def _document(name: str) -> tuple[bytes, str]:
    """A file's bytes and its media type: XML when it starts with `<`, else JSON."""
    try:
        raw = await run_blocking(Path(name).read_bytes)
    except OSError as exc:
        raise CommandFailed(f"{name}: {exc.strerror}") from exc
    return raw, "application/xml" if raw.lstrip().startswith(b"<") else "application/json"


def _importer(user: User | None, username: str, kind: str) -> User:
    if user is None:
        raise CommandFailed(f"unknown user {username!r}")
    if not user.has_any_role(IMPORTERS[kind]):
        raise CommandFailed(f"{username} may not import {kind} (needs {sorted(IMPORTERS[kind])})")
    return user


def _import(args: argparse.Namespace, settings: Settings, with_database: WithDatabase) -> int:
    require_database(settings)

    async def work(database: Database) -> int:
        raw, media_type = await _document(args.file)
        bus = EventBus(settings.event_queue_size)  # lot events are journaled for webhooks
        async with unit_of_work(database, bus) as session:
            user = _importer(await auth.get_user(session, args.user), args.user, args.kind)
            if args.kind == "orders":
                specs, source = read_orders(raw, media_type)
                done = await orders.import_orders(session, user, specs, source)
                lines = [f"order {o.order_number}: created" for o in done.created]
                lines += [f"order {o.order_number}: unchanged" for o in done.unchanged]
            else:
                information = read_material_information(raw, media_type)
                made, lots = await master_data.import_material_information(
                    session, user, information, Numbering.of(settings)
                )
                lines = [f"material {m.code}: created" for m in made.created]
                lines += [f"material {m.code}: unchanged" for m in made.unchanged]
                lines += [f"lot {lot.lot_number}: received" for lot in lots.created]
                lines += [f"lot {lot.lot_number}: unchanged" for lot in lots.unchanged]
        print("\n".join(lines))
        return 0

    return asyncio.run(with_database(settings, work))


def _export(args: argparse.Namespace, settings: Settings, with_database: WithDatabase) -> int:
    require_database(settings)

    async def work(database: Database) -> int:
        async with database.sessions(readonly=True)() as session, session.begin():
            if args.what == "batch":
                document: dict[str, Any] = await epcis.batch_document(session, args.reference)
            else:
                document = await epcis.lot_document(session, args.reference)
        text = json.dumps(document, indent=1)
        if args.output:
            await run_blocking(Path(args.output).write_text, text)
            print(f"{args.output}: {len(document['epcisBody']['eventList'])} EPCIS events")
        else:
            print(text)
        return 0

    return asyncio.run(with_database(settings, work))


def add_erp_commands(commands: Any, with_database: WithDatabase) -> None:
    """Register `orders import`, `materials import` and `epcis batch|lot`."""
    for kind, what in (("orders", "production orders"), ("materials", "materials and lots")):
        group = commands.add_parser(kind, help=f"{what} from the ERP").add_subparsers(
            dest=kind, required=True
        )
        command = group.add_parser("import", help=f"import {what} (JSON or B2MML XML)")
        command.add_argument("file", help="the document (JSON, or B2MML XML)")
        command.add_argument("--as", dest="user", required=True, help="importing username")
        command.set_defaults(
            kind=kind, run=lambda args, settings: _import(args, settings, with_database)
        )
    export = commands.add_parser("epcis", help="genealogy as a GS1 EPCIS 2.0 document")
    export.add_argument("what", choices=["batch", "lot"])
    export.add_argument("reference", help="batch number or lot number (or id)")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    export.set_defaults(run=lambda args, settings: _export(args, settings, with_database))

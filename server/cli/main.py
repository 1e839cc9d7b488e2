"""`stepwise`: serve, migrate, load procedures, manage users, verify the audit trail.

Every command exits non-zero with a one-line reason when it fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from procedures.exceptions import ProcedureError
from procedures.loader import load_procedure_file, procedure_json_schema
from server import logs
from server.audit.keys import SealKeyUnusable
from server.auth import service as auth
from server.cli.audit import add_audit_commands
from server.cli.batches import add_batches_commands
from server.cli.demo import add_demo_commands
from server.cli.erp import add_erp_commands
from server.cli.errors import CommandFailed
from server.cli.serve import add_serve_command
from server.cli.trace import add_trace_command
from server.cli.users import add_users_commands
from server.concurrency import run_blocking
from server.config import SettingInvalid, Settings, settings_from_env
from server.db.engine import Database, open_database
from server.db.migrate import upgrade
from server.errors import StepwiseError
from server.library import service as library
from server.serving.exceptions import ServingFailed


async def _with_database(settings: Settings, work: Callable[[Database], Awaitable[int]]) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await upgrade(settings.effective_database_url)
    database = open_database(settings.effective_database_url)
    try:
        return await work(database)
    finally:
        await database.dispose()


def _db_upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    asyncio.run(upgrade(settings.effective_database_url))
    print("database is at the newest schema")
    return 0


def _validate(args: argparse.Namespace, _settings: Settings) -> int:
    failed = 0
    for name in args.files:
        try:
            procedure = load_procedure_file(Path(name))
        except ProcedureError as exc:
            print(str(exc), file=sys.stderr)
            failed += 1
        else:
            print(f"{name}: ok ({procedure.key}, {len(procedure.steps())} steps)")
    if failed:
        raise CommandFailed(f"{failed} of {len(args.files)} procedure files are invalid")
    return 0


def _load(args: argparse.Namespace, settings: Settings) -> int:
    async def work(database: Database) -> int:
        for name in args.files:
            path = Path(name)
            try:
                source = await run_blocking(path.read_text)
            except OSError as exc:
                raise CommandFailed(f"{name}: {exc.strerror}") from exc
            async with database.sessions()() as session, session.begin():
                author = await auth.get_user(session, args.author) if args.author else None
                if args.author and author is None:
                    raise CommandFailed(f"unknown user {args.author!r}")
                version = await library.load_draft(session, author, source, path.name)
                print(
                    f"{name}: {library.definition_of(version).key} version {version.version} "
                    f"({version.status}, {version.content_hash[:12]})"
                )
        return 0

    return asyncio.run(_with_database(settings, work))


def _schema(_args: argparse.Namespace, _settings: Settings) -> int:
    print(json.dumps(procedure_json_schema(), indent=2))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stepwise", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    add_serve_command(commands)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db", required=True)
    db.add_parser("upgrade", help="apply migrations").set_defaults(run=_db_upgrade)

    procs = commands.add_parser("procedures", help="procedure files").add_subparsers(
        dest="procedures", required=True
    )
    validate = procs.add_parser("validate", help="check procedure files")
    validate.add_argument("files", nargs="+")
    validate.set_defaults(run=_validate)
    load = procs.add_parser("load", help="store procedure files as draft versions")
    load.add_argument("files", nargs="+")
    load.add_argument("--author", help="username recorded as the author (default: system)")
    load.set_defaults(run=_load)
    procs.add_parser("schema", help="print the procedure JSON Schema").set_defaults(run=_schema)

    add_audit_commands(commands, _with_database)

    add_users_commands(commands, lambda settings, work: asyncio.run(_with_database(settings, work)))
    add_trace_command(commands, _with_database)
    add_batches_commands(commands, _with_database)
    add_erp_commands(commands, _with_database)
    add_demo_commands(commands, _with_database)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `stepwise` command."""
    args = _parser().parse_args(argv)
    try:
        # Libraries (migration chatter too) log at WARNING: it would bury the commands' answers.
        logs.configure(*logs.chosen(None, None))
        return args.run(args, settings_from_env())
    except (
        CommandFailed,
        StepwiseError,
        SettingInvalid,
        SealKeyUnusable,
        ServingFailed,
        OSError,
    ) as exc:
        print(f"stepwise: {exc}", file=sys.stderr)
        return 1

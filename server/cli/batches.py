"""`stepwise batches export BATCH_NUMBER --format pdf|json -o FILE`: the batch record as a file."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from server.batch_record.content import batch_id_of
from server.batch_record.export import RecordExport, export_record, pdf_of
from server.cli.audit import WithDatabase
from server.cli.existing import require_database
from server.concurrency import run_blocking
from server.config import Settings
from server.db.engine import Database
from server.media_store.files import MediaFiles


async def _file_bytes(export: RecordExport, format: str, settings: Settings) -> bytes:
    if format == "json":
        return export.text.encode("utf-8")
    return await pdf_of(export, MediaFiles(settings.data_dir / "media"))


def _export(args: argparse.Namespace, settings: Settings, with_database: WithDatabase) -> int:
    require_database(settings)

    async def work(database: Database) -> int:
        async with database.sessions(readonly=True)() as session, session.begin():
            export = await export_record(session, await batch_id_of(session, args.batch_number))
        data = await _file_bytes(export, args.format, settings)
        await run_blocking(Path(args.output).write_bytes, data)
        print(f"{args.output}: {args.format} record of batch {args.batch_number}")
        print(f"sha256 of the JSON record: {export.sha256}")
        return 0

    return asyncio.run(with_database(settings, work))


def add_batches_commands(commands: Any, with_database: WithDatabase) -> None:
    """Register `batches export`."""
    batches = commands.add_parser("batches", help="batch records").add_subparsers(
        dest="batches", required=True
    )
    export = batches.add_parser("export", help="write a batch's electronic record as PDF or JSON")
    export.add_argument("batch_number", help="batch number (or id)")
    export.add_argument("--format", choices=["pdf", "json"], default="pdf")
    export.add_argument("-o", "--output", required=True, help="file to write")
    export.set_defaults(run=lambda args, settings: _export(args, settings, with_database))

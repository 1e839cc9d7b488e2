"""The definition a batch follows: its pinned version's, or its approved redline's."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from procedures.model import Procedure as ProcedureDefinition
from server.batches.models import Batch
from server.library import service as library
from server.redlines.models import Redline


async def batch_definition(session: AsyncSession, batch: Batch) -> ProcedureDefinition:
    """The procedure a batch's steps are executed, shown and recorded against: its pinned
    version's until a redline is approved, then that redline's (parsed once per content)."""
    if batch.redline_hash is None:
        return await library.definition_for(session, batch.procedure_version)
    batch_id, digest = batch.id, batch.redline_hash

    def parse(sync: Session) -> ProcedureDefinition:
        def read() -> dict:
            document = sync.scalar(
                select(Redline.definition)
                .where(Redline.batch_id == batch_id, Redline.content_hash == digest)
                .limit(1)
            )
            assert document is not None, f"batch {batch_id} follows a missing redline {digest}"
            return document

        return library.parsed_definition(digest, read)

    return await session.run_sync(parse)

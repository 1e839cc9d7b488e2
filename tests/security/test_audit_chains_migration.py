"""Issue 12: a database whose trail is one global chain (revision 0006), with a seal, is
upgraded; the old chain is kept as it was, the new chains start from its last hash, and the
whole trail verifies from end to end once the upgraded server has been used."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import insert, text
from sqlalchemy.exc import DBAPIError

from server.audit.chain import GENESIS_HASH, ChainFields
from server.audit.keys import load_or_create_key
from server.audit.models import AuditEntry, AuditSeal
from server.audit.seals import SealFields
from server.canonical import canonical_json, sha256_hex
from server.clock import utcnow
from server.config import Settings
from server.db.engine import open_database
from server.db.migrate import alembic_config, upgrade
from server.demo import seed_demo
from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.client import ApiClient
from tests.conftest import BACKENDS, _pg_admin, pg_url

LEGACY_ENTRIES = 3


def _legacy_rows() -> list[dict[str, object]]:
    """Entries as revision 0006's code chained them: one chain, positioned by `seq`."""
    rows, prev = [], GENESIS_HASH
    start = datetime(2026, 12, 1, 8, tzinfo=UTC)
    for seq in range(1, LEGACY_ENTRIES + 1):
        fields = ChainFields(
            seq=seq,
            at=start + timedelta(minutes=seq),
            actor_id=None,
            actor="system",
            action="user.created",
            entity_type="user",
            entity_id=f"legacy-{seq}",
            batch_id=None,
            old=None,
            new=canonical_json({"username": f"legacy{seq}"}),
            reason=None,
        )
        digest = fields.digest(prev)
        rows.append({**vars(fields), "prev_hash": prev, "hash": digest})
        prev = digest
    for row in rows:  # revision 0006 has no chain columns
        del row["chain"], row["chain_seq"]
    return rows


async def _database_at_0006(url: str, settings: Settings) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(url), "0006")
    rows = _legacy_rows()
    key = load_or_create_key(settings.effective_audit_key_file)
    heads = canonical_json({"trail": {"seq": LEGACY_ENTRIES, "hash": rows[-1]["hash"]}})
    fields = SealFields(seq=1, sealed_at=utcnow(), heads=heads, key_id=key.verifier.key_id)
    message = fields.message(GENESIS_HASH)
    seal = {
        **vars(fields),
        "prev_hash": GENESIS_HASH,
        "hash": sha256_hex(message),
        "signature": key.sign(message),
    }
    database = open_database(url)
    try:
        async with database.writer.begin() as connection:
            await connection.execute(insert(AuditEntry.__table__), rows)
            await connection.execute(insert(AuditSeal.__table__), [seal])
        await upgrade(url)
        await seed_demo(database, settings)
    finally:
        await database.dispose()


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    """A database built at revision 0006 with a legacy chain and its seal, then upgraded."""
    name = None
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'stepwise.db'}"
    else:
        name = f"stepwise_m_{uuid.uuid4().hex[:12]}"
        asyncio.run(_pg_admin(f"CREATE DATABASE {name}"))
        url = pg_url(name)
    settings = Settings(data_dir=tmp_path / "data", database_url=url, seal_seconds=3600)
    asyncio.run(_database_at_0006(url, settings))
    yield settings
    if name:
        asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.mark.parametrize("settings", BACKENDS, indirect=True)
async def test_an_upgraded_trail_verifies_from_end_to_end(
    api: ApiClient, settings: Settings
) -> None:
    legacy_head = _legacy_rows()[-1]["hash"]
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    done = await complete(api, batch["id"], "clearance", values={"area_clean": True})
    assert done.status == 200, done.body

    report = (await api.get("/audit/verify", "quinn")).body
    assert report["ok"] is True, report
    assert report["chains"] == 3  # the legacy trail, the site's, the batch's
    assert report["seals"] >= 2  # the legacy seal still verifies, and the server sealed
    entries = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    assert entries[0]["chain_seq"] == 1 and entries[0]["prev_hash"] == legacy_head
    assert entries[0]["seq"] > LEGACY_ENTRIES
    alone = (await api.get(f"/batches/{batch['id']}/audit/verify", "quinn")).body
    assert alone["ok"] is True and alone["head"]["hash"] == entries[-1]["hash"], alone


@pytest.mark.parametrize("settings", BACKENDS, indirect=True)
async def test_the_upgraded_trail_stays_append_only(settings: Settings) -> None:
    database = open_database(settings.effective_database_url)
    try:
        for statement in (
            "UPDATE audit_entries SET reason = 'x' WHERE seq = 1",
            "DELETE FROM audit_entries WHERE seq = 1",
            "DELETE FROM audit_seals WHERE seq = 1",
        ):
            with pytest.raises(DBAPIError, match="append-only"):
                async with database.writer.begin() as connection:
                    await connection.execute(text(statement))
    finally:
        await database.dispose()

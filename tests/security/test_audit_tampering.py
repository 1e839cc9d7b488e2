"""Finding 5 of the adversarial review: the audit trail catches what it should.

An attacker with database access tampers with the record tables (no triggers guard them) or
with the trail itself (dropping its append-only triggers); verification then names what
differs: the batch, the step, the field, the table's value and the trail's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from server.audit.anchors import anchor_file, keep
from server.audit.chain import GENESIS_HASH, ChainFields
from server.audit.keys import load_key
from server.audit.models import AuditChain, AuditEntry
from server.audit.seals import seal_now
from server.config import Settings
from server.db.engine import open_database
from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient

NET_KG = "WHERE name = 'net_kg'"
Tamper = Callable[[AsyncConnection], Awaitable[None]]


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    """No periodic seal while a test runs: the tests seal when they mean to."""
    return Settings(data_dir=tmp_path / "data", database_url=database_url, seal_seconds=3600)


async def _tamper(settings: Settings, work: Tamper) -> None:
    database = open_database(settings.effective_database_url)
    try:
        async with database.writer.begin() as connection:
            await work(connection)
    finally:
        await database.dispose()


async def _seal(settings: Settings) -> None:
    """Seal now, and keep the seal beside the key, as the running server does."""
    database = open_database(settings.effective_database_url)
    key_file = settings.effective_audit_key_file
    try:
        sealed = await seal_now(database, load_key(key_file))
    finally:
        await database.dispose()
    assert sealed is not None
    keep(anchor_file(key_file), sealed)


def _unguard(settings: Settings, table: str = "audit_entries") -> list[str]:
    """What an attacker runs first to change or delete rows of an append-only table."""
    if settings.effective_database_url.startswith("postgresql"):
        return [f"ALTER TABLE {table} DISABLE TRIGGER USER"]
    return [f"DROP TRIGGER {table}_no_update", f"DROP TRIGGER {table}_no_delete"]


async def _sql(settings: Settings, *statements: str) -> None:
    async def run(connection: AsyncConnection) -> None:
        for statement in statements:
            await connection.execute(text(statement))

    await _tamper(settings, run)


async def _recorded_batch(api: ApiClient) -> dict[str, Any]:
    """A batch with values, an alert deviation, a verifier's signature and a correction."""
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    alert = await complete(
        api,
        batch["id"],
        "weigh",
        values={"net_kg": 9.3, "appearance": "conforms"},
        comment="within tolerance after re-tare",
    )
    assert alert.status == 200 and alert.body["result"] == "alert", alert.body
    verified = await complete(
        api, batch["id"], "verify_weigh", "sam", signature=signature("sam", "verified")
    )
    assert verified.status == 200, verified.body
    await complete(api, batch["id"], "output", values={"output_kg": 9.8})
    corrected = await api.post(
        f"/batches/{batch['id']}/steps/output/correct",
        "olivia",
        {"values": {"output_kg": 9.9}, "reason": "transcription error"},
    )
    assert corrected.status == 200, corrected.body
    verify = (await api.get("/audit/verify", "quinn")).body
    assert verify["ok"] is True, verify
    return (await api.get(f"/batches/{batch['id']}", "quinn")).body


async def _verify(api: ApiClient) -> dict[str, Any]:
    answer = await api.get("/audit/verify", "quinn")
    assert answer.status == 200, answer.body
    assert answer.body["ok"] is False, answer.body
    return answer.body


def _difference(report: dict[str, Any], step: str | None, field: str) -> dict[str, Any]:
    found = [d for d in report["differences"] if d["step"] == step and d["field"] == field]
    assert found, report["differences"]
    return found[0]


def _cut_tail(settings: Settings, batch_id: str, count: int) -> list[str]:
    """Delete a batch chain's newest entries and set its head row back, as an attacker would."""
    chain = f"batch:{batch_id}"
    return [
        f"DELETE FROM audit_entries WHERE chain = '{chain}' AND chain_seq > "
        f"(SELECT chain_seq FROM audit_chains WHERE chain = '{chain}') - {count}",
        f"UPDATE audit_chains SET chain_seq = chain_seq - {count}, hash = (SELECT hash FROM"
        f" audit_entries WHERE chain = '{chain}' ORDER BY chain_seq DESC LIMIT 1)"
        f" WHERE chain = '{chain}'",
    ]


async def test_deleting_the_newest_entries_is_reported_by_the_seal(
    api: ApiClient, settings: Settings
) -> None:
    batch = await _recorded_batch(api)
    await _seal(settings)
    sealed = (await api.get("/audit/verify", "quinn")).body
    assert sealed["ok"] is True and sealed["unsealed_entries"] == 0, sealed
    head = (await api.get(f"/batches/{batch['id']}/audit/verify", "quinn")).body["head"]
    await _sql(settings, *_unguard(settings), *_cut_tail(settings, batch["id"], 2))
    report = await _verify(api)
    assert report["first_broken"] is None  # what is left is a valid, shorter chain
    assert {
        "seal": sealed["seals"],
        "detail": f"chain batch:{batch['id']} entry {head['chain_seq']} it seals is missing",
        "chain": f"batch:{batch['id']}",
        "chain_seq": head["chain_seq"],
    } in report["seal_problems"]


async def test_deleting_the_newest_entries_and_seals_is_reported_by_the_kept_seal(
    api: ApiClient, settings: Settings
) -> None:
    batch = await _recorded_batch(api)
    await _seal(settings)
    sealed = (await api.get("/audit/verify", "quinn")).body
    await _sql(
        settings,
        *_unguard(settings),
        *_unguard(settings, "audit_seals"),
        *_cut_tail(settings, batch["id"], 2),
        f"DELETE FROM audit_seals WHERE seq = {sealed['seals']}",
    )
    report = await _verify(api)
    assert report["first_broken"] is None and report["seals"] == sealed["seals"] - 1
    kept = [p for p in report["seal_problems"] if p["chain"] is None]
    assert kept == [
        {
            "seal": sealed["seals"],
            "detail": "a seal kept outside the database is missing",
            "chain": None,
            "chain_seq": None,
        }
    ]


async def test_changing_a_recorded_value_is_named(api: ApiClient, settings: Settings) -> None:
    batch = await _recorded_batch(api)
    await _sql(settings, f"UPDATE step_values SET value = '10.2' {NET_KG}")
    difference = _difference(await _verify(api), "weigh", "net_kg revision 1")
    assert difference == {
        "batch_number": batch["batch_number"],
        "step": "weigh",
        "field": "net_kg revision 1",
        "table": 10.2,
        "trail": 9.3,
    }


async def test_deleting_a_correction_is_named(api: ApiClient, settings: Settings) -> None:
    await _recorded_batch(api)
    await _sql(settings, "DELETE FROM step_values WHERE name = 'output_kg' AND revision = 2")
    difference = _difference(await _verify(api), "output", "output_kg revision 2")
    assert (difference["table"], difference["trail"]) == ("(absent)", 9.9)


async def test_changing_a_signatures_signer_is_named(api: ApiClient, settings: Settings) -> None:
    await _recorded_batch(api)
    await _sql(
        settings,
        "UPDATE signatures SET user_id = (SELECT id FROM users WHERE username = 'quinn'),"
        " username = 'quinn', full_name = 'Quinn QA' WHERE meaning = 'verified'",
    )
    report = await _verify(api)
    signer = [d for d in report["differences"] if d["field"].endswith(" signer")]
    assert signer and signer[0]["step"] == "verify_weigh", report["differences"]
    assert (signer[0]["table"], signer[0]["trail"]) == ("Quinn QA", "Sam Supervisor")
    assert any(d["field"].endswith(" signer_id") for d in report["differences"])


async def test_deleting_deviations_is_named(api: ApiClient, settings: Settings) -> None:
    await _recorded_batch(api)
    await _sql(settings, "DELETE FROM deviations")
    report = await _verify(api)
    deleted = [d for d in report["differences"] if d["field"].startswith("deviation ")]
    assert deleted and deleted[0]["step"] is None and deleted[0]["table"] == "(absent)"
    assert deleted[0]["trail"]["field"] == "net_kg" and deleted[0]["trail"]["status"] == "open"


async def test_changing_a_batch_status_is_named(api: ApiClient, settings: Settings) -> None:
    batch = await _recorded_batch(api)
    await _sql(settings, f"UPDATE batches SET status = 'completed' WHERE id = '{batch['id']}'")
    difference = _difference(await _verify(api), None, "status")
    assert (difference["table"], difference["trail"]) == ("completed", "in_progress")


async def test_rewriting_an_entry_and_recomputing_the_chain_is_reported_by_the_seal(
    api: ApiClient, settings: Settings
) -> None:
    await _recorded_batch(api)
    await _seal(settings)

    async def rewrite(connection: AsyncConnection) -> None:
        for statement in _unguard(settings):
            await connection.execute(text(statement))
        await connection.execute(
            text(
                "UPDATE audit_entries SET new = replace(new, '9.3', '10.2')"
                " WHERE action = 'step.completed' AND new LIKE '%net_kg%'"
            )
        )
        await connection.execute(
            text("UPDATE step_values SET value = '10.2' WHERE name = 'net_kg'")
        )
        await _recompute_chain(connection)

    await _tamper(settings, rewrite)
    report = await _verify(api)
    assert report["first_broken"] is None and not report["differences"], report
    assert any("it seals is changed" in p["detail"] for p in report["seal_problems"]), report


async def _recompute_chain(connection: AsyncConnection) -> None:
    """What an attacker with the code and the database does: rehash every chain, heads too."""
    table = AuditEntry.__table__
    rows = (await connection.execute(select(table).order_by(table.c.seq))).mappings().all()
    heads: dict[str | None, str] = {None: GENESIS_HASH}
    for row in rows:
        if row["chain"] is not None and row["chain"] not in heads:
            heads[row["chain"]] = heads[None]  # a new chain starts from the legacy head
        fields = ChainFields(**{name: row[name] for name in ChainFields.__dataclass_fields__})
        digest = fields.digest(heads[row["chain"]])
        await connection.execute(
            update(table)
            .where(table.c.seq == row["seq"])
            .values(prev_hash=heads[row["chain"]], hash=digest)
        )
        heads[row["chain"]] = digest
    for chain, digest in heads.items():
        if chain is not None:
            await connection.execute(
                update(AuditChain.__table__)
                .where(AuditChain.__table__.c.chain == chain)
                .values(hash=digest)
            )

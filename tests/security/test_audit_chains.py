"""Issue 12: every batch's entries form their own hash chain, the rest the site chain;
verification names the chain and position of the first break, and seals cover every chain."""

from __future__ import annotations

import asyncio
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import text

from server.audit.anchors import anchor_file
from server.config import Settings
from server.db.engine import open_database
from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient
from tests.security.test_audit_tampering import _seal, _sql, _unguard


@pytest.fixture
def settings(database_url: str, tmp_path: Any) -> Settings:
    """No periodic seal while a test runs: the tests seal when they mean to."""
    return Settings(data_dir=tmp_path / "data", database_url=database_url, seal_seconds=3600)


async def _two_interleaved_batches(api: ApiClient) -> tuple[str, str]:
    await approved_procedure(api, "test_line.yaml")
    first, second = (await started_batch(api))["id"], (await started_batch(api))["id"]
    for step, values in (
        ("clearance", {"area_clean": True}),
        ("weigh", {"net_kg": 10.0, "appearance": "conforms"}),
    ):
        for batch_id in (first, second):
            done = await complete(api, batch_id, step, values=values)
            assert done.status == 200, done.body
    return first, second


async def _entries(api: ApiClient, batch_id: str) -> list[dict[str, Any]]:
    answer = await api.get(f"/batches/{batch_id}/audit", "quinn")
    assert answer.status == 200, answer.body
    return answer.body


async def _report(api: ApiClient) -> dict[str, Any]:
    answer = await api.get("/audit/verify", "quinn")
    assert answer.status == 200, answer.body
    return answer.body


async def _batch_report(api: ApiClient, batch_id: str) -> dict[str, Any]:
    answer = await api.get(f"/batches/{batch_id}/audit/verify", "quinn")
    assert answer.status == 200, answer.body
    return answer.body


async def test_interleaved_batches_form_two_independent_chains(api: ApiClient) -> None:
    first, second = await _two_interleaved_batches(api)
    chains = {batch_id: await _entries(api, batch_id) for batch_id in (first, second)}
    for batch_id, entries in chains.items():
        assert {e["chain"] for e in entries} == {f"batch:{batch_id}"}
        assert [e["chain_seq"] for e in entries] == list(range(1, len(entries) + 1))
        assert all(e["prev_hash"] == p["hash"] for p, e in pairwise(entries))
        assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)
    seqs = {batch_id: {e["seq"] for e in entries} for batch_id, entries in chains.items()}
    assert min(seqs[second]) < max(seqs[first])  # recorded interleaved, chained apart
    report = await _report(api)
    assert report["ok"] is True and report["first_break"] is None, report
    assert report["chains"] == 3  # the site's and the two batches'
    for batch_id, entries in chains.items():
        alone = await _batch_report(api, batch_id)
        assert alone["ok"] is True, alone
        assert alone["head"]["chain_seq"] == len(entries)
        assert alone["head"]["hash"] == entries[-1]["hash"]


async def test_editing_an_entry_names_its_chain_and_position(
    api: ApiClient, settings: Settings
) -> None:
    first, second = await _two_interleaved_batches(api)
    edited = (await _entries(api, first))[2]
    await _sql(
        settings,
        *_unguard(settings),
        f"UPDATE audit_entries SET reason = 'edited' WHERE seq = {edited['seq']}",
    )
    report = await _report(api)
    assert report["ok"] is False
    expected = {"chain": f"batch:{first}", "chain_seq": 3, "seq": edited["seq"]}
    assert report["first_break"] == expected and report["breaks"] == [expected]
    assert report["first_broken"] == edited["seq"]
    assert (await _batch_report(api, first))["first_break"] == expected
    assert (await _batch_report(api, second))["ok"] is True


async def test_deleting_a_chains_tail_is_reported_with_chain_and_position(
    api: ApiClient, settings: Settings
) -> None:
    first, _ = await _two_interleaved_batches(api)
    await _seal(settings)
    entries = await _entries(api, first)
    await _sql(
        settings, *_unguard(settings), f"DELETE FROM audit_entries WHERE seq = {entries[-1]['seq']}"
    )
    report = await _report(api)
    chain, position = f"batch:{first}", len(entries)
    assert report["first_break"] == {"chain": chain, "chain_seq": position, "seq": None}
    missing = [p for p in report["seal_problems"] if p["chain"] == chain]
    assert missing and missing[0]["chain_seq"] == position, report["seal_problems"]
    assert "it seals is missing" in missing[0]["detail"]
    alone = await _batch_report(api, first)
    assert alone["ok"] is False and alone["seal_problems"][0]["chain_seq"] == position


async def test_deleting_a_seal_is_reported(api: ApiClient, settings: Settings) -> None:
    first, second = await _two_interleaved_batches(api)
    await _seal(settings)
    done = await complete(api, first, "verify_weigh", "sam", signature=signature("sam", "verified"))
    assert done.status == 200, done.body
    await _seal(settings)
    done = await complete(
        api, second, "verify_weigh", "sam", signature=signature("sam", "verified")
    )
    assert done.status == 200, done.body
    await _seal(settings)
    sealed = await _report(api)
    assert sealed["ok"] is True and sealed["unsealed_entries"] == 0, sealed
    middle = sealed["seals"] - 1
    await _sql(
        settings,
        *_unguard(settings, "audit_seals"),
        f"DELETE FROM audit_seals WHERE seq = {middle}",
    )
    report = await _report(api)
    assert report["ok"] is False and report["first_break"] is None
    assert {"seal": middle + 1, "detail": f"seal {middle} is missing"} in [
        {"seal": p["seal"], "detail": p["detail"]} for p in report["seal_problems"]
    ]


async def test_deleting_the_newest_seal_is_reported_without_the_kept_seal(
    api: ApiClient, settings: Settings
) -> None:
    first, _ = await _two_interleaved_batches(api)
    await _seal(settings)
    sealed = await _report(api)
    anchor_file(settings.effective_audit_key_file).unlink()
    await _sql(
        settings,
        *_unguard(settings, "audit_seals"),
        f"DELETE FROM audit_seals WHERE seq = {sealed['seals']}",
    )
    report = await _report(api)
    assert report["ok"] is False
    chains = {p["chain"] for p in report["seal_problems"]}
    assert f"batch:{first}" in chains, report["seal_problems"]
    assert all("no seal names it" in p["detail"] for p in report["seal_problems"])


async def test_a_seal_covers_only_the_chains_that_moved(api: ApiClient, settings: Settings) -> None:
    first, second = await _two_interleaved_batches(api)
    await _seal(settings)
    done = await complete(api, first, "verify_weigh", "sam", signature=signature("sam", "verified"))
    assert done.status == 200, done.body
    await _seal(settings)
    database = open_database(settings.effective_database_url)
    try:
        async with database.writer.connect() as connection:
            heads = await connection.scalar(
                text("SELECT heads FROM audit_seals ORDER BY seq DESC LIMIT 1")
            )
    finally:
        await database.dispose()
    assert f"batch:{first}" in heads and f"batch:{second}" not in heads
    assert (await _report(api))["ok"] is True


async def test_completing_a_batch_seals_its_chain(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch_id = (await started_batch(api))["id"]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("clearance", {"values": {"area_clean": True}}),
        ("weigh", {"values": {"net_kg": 10.0, "appearance": "conforms"}}),
        ("verify_weigh", {"signature": signature("sam", "verified")}),
        ("output", {"values": {"output_kg": 10.0}}),
        ("yield_calc", {}),
        ("rest", {}),
    ]
    for step_id, body in steps:
        answer = await complete(api, batch_id, step_id, **body)
        assert answer.status == 200, (step_id, answer.body)
    assert (await _batch_report(api, batch_id))["sealed_seq"] == 0
    done = await complete(api, batch_id, "sign_off", signature=signature("olivia", "performed"))
    assert done.status == 200 and done.body["batch_status"] == "completed", done.body
    for _ in range(100):  # sealed by the server right after the commit, not at the next tick
        alone = await _batch_report(api, batch_id)
        if alone["sealed_seq"]:
            break
        await asyncio.sleep(0.05)
    assert alone["ok"] is True and alone["sealed_seq"] == alone["head"]["chain_seq"], alone


# SQLite has one writer at a time: there every append waits its turn, whatever the chains.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_batch_never_waits_on_another_batchs_chain(
    api: ApiClient, settings: Settings
) -> None:
    first, second = await _two_interleaved_batches(api)
    database = open_database(settings.effective_database_url)
    try:
        async with database.writer.begin() as connection:
            await connection.execute(
                text("SELECT * FROM audit_chains WHERE chain = :chain FOR UPDATE"),
                {"chain": f"batch:{first}"},
            )
            # The first batch's chain is held; the second batch's step commits regardless.
            done = await asyncio.wait_for(
                complete(
                    api, second, "verify_weigh", "sam", signature=signature("sam", "verified")
                ),
                timeout=30,
            )
            assert done.status == 200, done.body
    finally:
        await database.dispose()
    assert (await _report(api))["ok"] is True

"""Finding 5: the running server seals what it records, within seconds, with a key it keeps
outside the database."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest

from server.config import Settings
from tests.api.fixtures import approved_procedure, started_batch
from tests.client import ApiClient


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, seal_seconds=0.2)


async def test_new_entries_are_sealed_within_the_seal_interval(
    api: ApiClient, settings: Settings
) -> None:
    key_file = settings.effective_audit_key_file
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    await approved_procedure(api, "test_line.yaml")
    await started_batch(api)
    await asyncio.sleep(1.0)
    report = (await api.get("/audit/verify", "quinn")).body
    assert report["ok"] is True, report
    assert report["unsealed_entries"] == 0 and report["sealed_through"] == report["entries"]
    anchor = key_file.with_name(key_file.name + ".anchor").read_text()
    assert anchor.startswith(f"{report['seals']}:")

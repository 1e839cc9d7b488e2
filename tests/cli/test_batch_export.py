"""`stepwise batches export`: a batch's record written as JSON or PDF, matched by SHA-256."""

from __future__ import annotations

import asyncio
import io
import json
import os
from pathlib import Path

from pypdf import PdfReader

from server.canonical import canonical_json, sha256_hex
from server.config import Settings
from tests.api.fixtures import started_batch
from tests.cli.test_cli import stepwise
from tests.client import ApiClient
from tests.quality.test_batch_record import attached_photo


async def test_export_writes_json_and_pdf_with_one_hash_and_names_an_unknown_batch(
    api: ApiClient, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    batch = await started_batch(api, "stw101-compression", batch_size_kg=12.0)
    await attached_photo(api, batch["id"])
    number = batch["batch_number"]
    env = {**os.environ, "DATABASE_URL": database_url, "STEPWISE_DATA_DIR": str(settings.data_dir)}
    as_json, as_pdf = tmp_path / "record.json", tmp_path / "record.pdf"

    exported_json, exported_pdf, unknown = await asyncio.gather(
        asyncio.to_thread(
            stepwise, env, "batches", "export", number, "--format", "json", "-o", str(as_json)
        ),
        asyncio.to_thread(
            stepwise, env, "batches", "export", number, "--format", "pdf", "-o", str(as_pdf)
        ),
        asyncio.to_thread(stepwise, env, "batches", "export", "NO-SUCH", "-o", str(tmp_path / "x")),
    )

    assert exported_json.returncode == 0, exported_json.stderr
    assert exported_pdf.returncode == 0, exported_pdf.stderr
    record = json.loads(as_json.read_text())
    sha = sha256_hex(canonical_json(record))
    assert sha256_hex(as_json.read_text()) == sha
    assert f"sha256 of the JSON record: {sha}" in exported_pdf.stdout
    assert (
        record["header"]["batch_number"] == number and record["header"]["status"] == "in_progress"
    )
    pdf = PdfReader(io.BytesIO(as_pdf.read_bytes()))
    first = pdf.pages[0].extract_text()
    assert sha in first and "NOT RELEASED — status in_progress" in first
    assert pdf.pages[0].images, "the photo's thumbnail is on the first page"
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "stepwise: There is no batch 'NO-SUCH'."
    assert not (tmp_path / "x").exists()

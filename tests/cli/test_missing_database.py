"""A command that only reads, run where there is no database, says where it looked and how
to point it elsewhere, exits 1 and creates nothing (no empty ./stepwise-data/stepwise.db)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READING = [
    ["trace", "lot", "MCC-2611-01"],
    ["trace", "batch", "STW101-C-0001"],
    ["batches", "export", "STW101-C-0001", "--format", "json", "-o", "record.json"],
    ["audit", "verify"],
    ["users", "list"],
]


def _elsewhere(tmp_path: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("STEPWISE_DATA_DIR",)}
    environ.update({"PYTHONPATH": str(ROOT), "DATABASE_URL": "", **env})
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("args", READING, ids=" ".join)
def test_a_reading_command_refuses_a_missing_database_and_creates_none(
    tmp_path: Path, args: list[str]
) -> None:
    result = _elsewhere(tmp_path, args)

    assert result.returncode == 1, result.stdout
    expected = tmp_path / "stepwise-data" / "stepwise.db"
    assert f"there is no database at {expected}" in result.stderr
    assert "STEPWISE_DATA_DIR" in result.stderr and "DATABASE_URL" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_file_named_by_database_url_is_refused_too(tmp_path: Path) -> None:
    missing = tmp_path / "elsewhere" / "site.db"

    result = _elsewhere(
        tmp_path, ["trace", "lot", "X"], DATABASE_URL=f"sqlite+aiosqlite:///{missing}"
    )

    assert result.returncode == 1
    assert f"there is no database at {missing}" in result.stderr
    assert not missing.parent.exists()

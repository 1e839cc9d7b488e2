"""The environment a `stepwise` command runs in: its own data directory, SQLite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "STEPWISE_DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": ""}

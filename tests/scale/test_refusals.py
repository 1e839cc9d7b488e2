"""`serve --workers N` refuses what it cannot run, in one line, before it changes anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.system.server_process import free_port


def test_several_processes_on_sqlite_are_refused_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "STEPWISE_DATA_DIR": str(tmp_path / "data")}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--workers", "2", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("stepwise: --workers 2 needs PostgreSQL")
    assert not (tmp_path / "data").exists()  # nothing created, nothing migrated

"""The recipe core's tests run without the server stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER_STACK = ("server", "aiohttp", "sqlalchemy", "asyncpg", "aiosqlite", "aiortc")

# Runs pytest in-process, then lists the server-stack modules it ended up importing.
_PROBE = f"""
import sys, pytest
code = pytest.main(["tests/procedures", "-q", "-p", "no:cacheprovider"])
loaded = sorted(m for m in sys.modules if m.split(".")[0] in {SERVER_STACK!r})
print("LOADED", loaded)
sys.exit(code)
"""


def test_procedure_tests_import_no_server_aiohttp_sqlalchemy_or_asyncpg() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, timeout=110
    )

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert result.stdout.splitlines()[-1] == "LOADED []"

"""docs/architecture.svg is drawn from the code: it must be the picture the code draws now."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_architecture_picture_matches_the_code() -> None:
    checked = subprocess.run(
        [sys.executable, "scripts/architecture_graph.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

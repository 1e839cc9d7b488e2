"""`stepwise demo seed --batches N`: demo data and N historical batches per sample, whose
audit trail verifies; a second run adds nothing."""

from __future__ import annotations

import json

from tests.cli.test_cli import stepwise


def test_demo_seed_writes_history_that_the_audit_trail_accounts_for(env: dict[str, str]) -> None:
    seeded = stepwise(env, "demo", "seed", "--batches", "4")
    assert seeded.returncode == 0, seeded.stderr
    assert "12 historical batches added" in seeded.stdout

    verified = stepwise(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert json.loads(verified.stdout)["ok"] is True

    again = stepwise(env, "demo", "seed", "--batches", "4")
    assert "0 historical batches added" in again.stdout

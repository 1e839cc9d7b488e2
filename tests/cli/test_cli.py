"""The `stepwise` command as an administrator uses it: exit codes and one-line reasons."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.api.fixtures import DATA


def stepwise(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_lists_the_commands(env: dict[str, str]) -> None:
    result = stepwise(env, "--help")
    assert result.returncode == 0
    for command in ("serve", "db", "procedures", "audit", "users"):
        assert command in result.stdout


def test_validate_accepts_good_files_and_names_file_line_and_path_of_bad_ones(
    env: dict[str, str], tmp_path: Path
) -> None:
    good = stepwise(env, "procedures", "validate", str(DATA / "test_line.yaml"))
    assert good.returncode == 0 and "ok (test-line" in good.stdout
    source = (
        (DATA / "test_line.yaml").read_text().replace("verifies: weigh", "verifies: later_step")
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text(source)
    bad = stepwise(env, "procedures", "validate", str(broken))
    assert bad.returncode == 1
    line = source.splitlines().index("        verifies: later_step") + 1
    assert f"broken.yaml:{line}: operations[0].steps[2].verifies" in bad.stderr
    assert bad.stderr.strip().endswith("1 of 1 procedure files are invalid")


def test_users_add_then_audit_verify_then_tampering_is_reported(
    env: dict[str, str], tmp_path: Path
) -> None:
    added = stepwise(
        env,
        "users",
        "add",
        "nina",
        "--full-name",
        "Nina New",
        "--role",
        "operator",
        "--role",
        "qa",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert added.returncode == 0, added.stderr
    assert "roles operator, qa" in added.stdout
    duplicate = stepwise(
        env,
        "users",
        "add",
        "nina",
        "--full-name",
        "Nina",
        "--role",
        "operator",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert duplicate.returncode == 1 and duplicate.stderr.count("\n") == 1
    verified = stepwise(env, "audit", "verify")
    assert verified.returncode == 0
    assert json.loads(verified.stdout).items() >= {"ok": True, "entries": 1}.items()
    database = sqlite3.connect(tmp_path / "data" / "stepwise.db")
    database.execute("DROP TRIGGER audit_entries_no_update")
    database.execute("UPDATE audit_entries SET actor = 'mallory'")
    database.commit()
    database.close()
    broken = stepwise(env, "audit", "verify")
    assert broken.returncode == 1
    assert "audit trail chain site broken at entry 1" in broken.stderr


def test_load_creates_a_draft_and_is_idempotent(env: dict[str, str]) -> None:
    first = stepwise(env, "procedures", "load", str(DATA / "test_line.yaml"))
    assert first.returncode == 0, first.stderr
    assert "test-line version 1 (draft" in first.stdout
    again = stepwise(env, "procedures", "load", str(DATA / "test_line.yaml"))
    assert "test-line version 1 (draft" in again.stdout
    missing = stepwise(env, "procedures", "load", "/nonexistent.yaml")
    assert missing.returncode == 1 and "No such file" in missing.stderr


def test_short_password_is_refused(env: dict[str, str]) -> None:
    result = stepwise(
        env,
        "users",
        "add",
        "tim",
        "--full-name",
        "Tim",
        "--role",
        "operator",
        "--password-stdin",
        stdin="short\n",
    )
    assert result.returncode == 1 and "at least 12 characters" in result.stderr


def test_a_setting_that_cannot_be_used_is_named_in_one_line(env: dict[str, str]) -> None:
    result = stepwise({**env, "STEPWISE_ICE_SERVERS": '[{"urls": 5}]'}, "audit", "verify")
    idle = stepwise({**env, "STEPWISE_STREAM_IDLE_SECONDS": "soon"}, "audit", "verify")

    assert result.returncode == 1
    assert result.stderr.startswith("stepwise: STEPWISE_ICE_SERVERS=")
    assert "Traceback" not in result.stderr
    assert idle.returncode == 1
    assert idle.stderr.strip().startswith("stepwise: STEPWISE_STREAM_IDLE_SECONDS='soon'")

"""`stepwise users ...`: account controls from the command line, audited, failing in one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cli.test_cli import stepwise


def _add(env: dict[str, str], username: str) -> None:
    added = stepwise(
        env,
        "users",
        "add",
        username,
        "--full-name",
        username.title(),
        "--role",
        "operator",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert added.returncode == 0, added.stderr


def test_users_are_listed_deactivated_reset_and_given_roles(
    env: dict[str, str],
    tmp_path: Path,
) -> None:
    _add(env, "nina")
    deactivated = stepwise(env, "users", "deactivate", "nina", "--reason", "left the site")
    assert deactivated.returncode == 0, deactivated.stderr
    roles = stepwise(
        env, "users", "set-roles", "nina", "--role", "qa", "--role", "operator", "--reason", "move"
    )
    assert roles.returncode == 0 and "operator, qa" in roles.stdout
    reset = stepwise(env, "users", "reset-password", "nina", "--reason", "forgotten")
    assert reset.returncode == 0 and "temporary password for nina: " in reset.stdout
    listed = stepwise(env, "users", "list")
    assert "nina" in listed.stdout and "deactivated, must change password" in listed.stdout
    database = sqlite3.connect(tmp_path / "data" / "stepwise.db")
    actions = database.execute(
        "SELECT action, actor, reason FROM audit_entries ORDER BY seq"
    ).fetchall()
    database.close()
    assert [a for a, _, _ in actions] == [
        "user.created",
        "user.deactivated",
        "user.roles_changed",
        "user.password_reset",
    ]
    assert all(actor.startswith("command line (") for _, actor, _ in actions)
    assert actions[1][2] == "left the site"


def test_users_commands_fail_in_one_line(env: dict[str, str]) -> None:
    unknown = stepwise(env, "users", "unlock", "nobody", "--reason", "why")
    assert unknown.returncode == 1 and unknown.stderr == "stepwise: No user 'nobody'.\n"
    no_reason = stepwise(env, "users", "revoke-sessions", "nobody")
    assert no_reason.returncode != 0 and "--reason" in no_reason.stderr

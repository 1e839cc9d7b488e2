"""`stepwise audit public-key|seal|verify --public-key --seal`: what a site keeps outside the
database, and verifying against it."""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.cli.test_cli import stepwise


def _add_user(env: dict[str, str]) -> None:
    added = stepwise(
        env,
        *("users", "add", "nina", "--full-name", "Nina New", "--role", "qa"),
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert added.returncode == 0, added.stderr


def test_the_public_key_is_printed_and_its_private_half_kept_private(
    env: dict[str, str], tmp_path: Path
) -> None:
    printed = stepwise(env, "audit", "public-key")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    key_file = tmp_path / "data" / "audit-seal.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stepwise(env, "audit", "public-key").stdout == printed.stdout  # never replaced


def test_verify_against_the_kept_public_key_and_seal(env: dict[str, str], tmp_path: Path) -> None:
    _add_user(env)
    public = tmp_path / "site.pem"
    public.write_text(stepwise(env, "audit", "public-key").stdout)
    sealed = stepwise(env, "audit", "seal")
    assert sealed.returncode == 0, sealed.stderr
    anchor = sealed.stdout.split()[1]
    verified = stepwise(env, "audit", "verify", "--public-key", str(public), "--seal", anchor)
    assert verified.returncode == 0, verified.stderr
    report = json.loads(verified.stdout)
    assert (report["ok"], report["seals"], report["unsealed_entries"]) == (True, 1, 0)


def test_seals_signed_with_another_key_are_reported(env: dict[str, str], tmp_path: Path) -> None:
    _add_user(env)
    assert stepwise(env, "audit", "seal").returncode == 0
    other = tmp_path / "other.pem"
    other.write_bytes(
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    refused = stepwise(env, "audit", "verify", "--public-key", str(other))
    assert refused.returncode == 1
    assert "seal 1: signed with another key" in refused.stderr
    assert refused.stderr.count("\n") == 1


def test_a_seal_rewritten_in_the_database_is_reported(env: dict[str, str], tmp_path: Path) -> None:
    _add_user(env)
    printed = stepwise(env, "audit", "seal").stdout.split()[1]
    database = sqlite3.connect(tmp_path / "data" / "stepwise.db")
    database.execute("DROP TRIGGER audit_seals_no_update")
    database.execute("UPDATE audit_seals SET sealed_at = '2020-01-01 00:00:00.000000'")
    database.commit()
    database.close()
    broken = stepwise(env, "audit", "verify", "--seal", printed)
    assert broken.returncode == 1
    assert "seal 1: its content does not match its hash" in broken.stderr


def test_an_edited_entry_is_named_by_its_chain_and_position(
    env: dict[str, str], tmp_path: Path
) -> None:
    _add_user(env)
    database = sqlite3.connect(tmp_path / "data" / "stepwise.db")
    chain, position = database.execute(
        "SELECT chain, chain_seq FROM audit_entries WHERE chain = 'site' ORDER BY chain_seq DESC"
    ).fetchone()
    database.execute("DROP TRIGGER audit_entries_no_update")
    database.execute(
        "UPDATE audit_entries SET reason = 'edited' WHERE chain = ? AND chain_seq = ?",
        (chain, position),
    )
    database.commit()
    database.close()
    broken = stepwise(env, "audit", "verify")
    assert broken.returncode == 1
    assert f"chain site broken at entry {position}" in broken.stderr
    assert json.loads(broken.stdout)["first_break"]["chain_seq"] == position

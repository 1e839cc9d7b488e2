"""Finding 12 of the adversarial review: nobody can lock a colleague out by signing with their
username and wrong passwords. Failures count against the session that sent them, which is
locked, audited and alerted; failed sign-ins still count per account."""

from __future__ import annotations

import logging

import pytest

from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import PASSWORDS, ApiClient
from tests.security.accounts_support import sign_in, user_audit, user_ids


async def _batch_at_verification(api: ApiClient) -> str:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    await complete(api, batch["id"], "weigh", values={"net_kg": 10.0, "appearance": "conforms"})
    return batch["id"]


async def test_guessing_a_colleagues_signature_locks_the_guessers_session_not_the_colleague(
    api: ApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    batch_id = await _batch_at_verification(api)
    guess = {**signature("sam", "verified"), "password": "not-sams"}
    with caplog.at_level(logging.WARNING, logger="stepwise.security"):
        refusals = [
            await complete(api, batch_id, "verify_weigh", signature=guess) for _ in range(5)
        ]
    assert [r.status for r in refusals] == [422] * 5

    # The sending session (olivia's) is locked: its next call is refused.
    after = await complete(api, batch_id, "verify_weigh", signature=signature("sam", "verified"))
    assert after.status == 401
    # Sam was never locked: he signs in, and his signature is accepted.
    assert (await sign_in(api, "sam", PASSWORDS["sam"])).status == 200
    api.forget("olivia")
    signed = await complete(api, batch_id, "verify_weigh", signature=signature("sam", "verified"))
    assert signed.status == 200, signed.body

    ids = await user_ids(api)
    [locked] = [e for e in await user_audit(api, ids["olivia"]) if e["action"] == "session.locked"]
    assert "'sam'" in locked["reason"] and locked["new"]["failed_signatures"] == 5
    assert not [e for e in await user_audit(api, ids["sam"]) if e["action"] == "user.locked"]
    assert any("ALERT session of olivia locked" in r.getMessage() for r in caplog.records)


async def test_failed_sign_ins_still_lock_the_account(api: ApiClient) -> None:
    answers = [(await sign_in(api, "omar", "wrong")).status for _ in range(5)]
    assert answers == [401] * 4 + [403]
    locked = await sign_in(api, "omar", PASSWORDS["omar"])
    assert locked.status == 403 and "locked" in locked.body["detail"]

"""A cleaning record makes equipment usable again: it is GMP data, e-signed by who cleaned
(meaning `performed`) and audited with the signer; soiling or maintenance need no signature."""

from __future__ import annotations

from tests.api.fixtures import signature
from tests.api.traceability import cleaning
from tests.client import ApiClient


async def _dirty_press(api: ApiClient) -> None:
    dirtied = await api.post(
        "/equipment/EQ-PRESS-01/status", "olivia", {"status": "dirty", "reason": "batch done"}
    )
    assert dirtied.status == 200, dirtied.body


async def test_a_cleaning_without_a_signature_is_refused_and_changes_nothing(
    api: ApiClient,
) -> None:
    await _dirty_press(api)

    refused = await api.post(
        "/equipment/EQ-PRESS-01/status", "olivia", {"status": "clean", "reason": "cleaned"}
    )

    assert refused.status == 422, refused.body
    assert refused.body["errors"][0]["field"] == "signature"
    assert (await api.get("/equipment/EQ-PRESS-01", "olivia")).body["status"] == "dirty"


async def test_a_cleaning_with_a_wrong_password_or_meaning_is_refused(api: ApiClient) -> None:
    await _dirty_press(api)
    wrong_password = {"username": "olivia", "password": "nope", "meaning": "performed"}

    answers = [
        await api.post(
            "/equipment/EQ-PRESS-01/status",
            "olivia",
            {"status": "clean", "reason": "cleaned", "signature": sent},
        )
        for sent in (wrong_password, signature("olivia", "approved"))
    ]

    assert [answer.status for answer in answers] == [422, 422], [a.body for a in answers]
    assert (await api.get("/equipment/EQ-PRESS-01", "olivia")).body["status"] == "dirty"


async def test_a_signed_cleaning_is_logged_and_audited_with_its_signer(api: ApiClient) -> None:
    await _dirty_press(api)

    cleaned = await api.post(
        "/equipment/EQ-PRESS-01/status",
        "olivia",
        cleaning("omar"),
    )

    assert cleaned.status == 200, cleaned.body
    assert cleaned.body["status"] == "clean" and cleaned.body["clean_until"]
    [entry] = [e for e in (await api.get("/equipment/EQ-PRESS-01/log", "olivia")).body][-1:]
    assert entry["event"] == "cleaned"
    assert entry["detail"]["signed_by"] == "omar (Omar Operator)"

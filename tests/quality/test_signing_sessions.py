"""Part 11 signing sessions (21 CFR 11.200(a)(1)): the first e-signature of a signed-in
session, or the first after STEPWISE_SIGNING_IDLE_MINUTES without signing, needs username and
password; later ones may give only the password."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from server.auth.models import AuthToken
from server.clock import utcnow
from server.config import settings_from_env
from server.web.keys import DATABASE
from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient

DONE_BEFORE_VERIFY = [
    ("clearance", {"values": {"area_clean": True}}),
    ("weigh", {"values": {"net_kg": 10.0, "appearance": "conforms"}}),
]
SESSION_CLOSED = {
    "field": "signature.username",
    "message": "username and password are needed to open a signing session",
    "code": "signing_session_closed",
}


def _password_only(username: str, meaning: str) -> dict[str, str]:
    return {k: v for k, v in signature(username, meaning).items() if k != "username"}


async def _at_verification(api: ApiClient) -> dict[str, Any]:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    for step_id, body in DONE_BEFORE_VERIFY:
        answer = await complete(api, batch["id"], step_id, **body)
        assert answer.status == 200, (step_id, answer.body)
    return batch


async def _verify_state(api: ApiClient, batch_id: str) -> tuple[str, list[Any]]:
    record = (await api.get(f"/batches/{batch_id}", "quinn")).body
    [verify] = [s for s in record["steps"] if s["step_id"] == "verify_weigh"]
    return verify["state"], verify["signatures"]


async def _correct(api: ApiClient, batch_id: str, sig: dict[str, str]) -> Any:
    return await api.post(
        f"/batches/{batch_id}/steps/weigh/correct",
        "sam",
        {"values": {"net_kg": 10.1}, "reason": "Misread the display", "signature": sig},
    )


async def test_the_first_signature_of_a_session_needs_the_username(api: ApiClient) -> None:
    batch = await _at_verification(api)

    refused = await complete(
        api, batch["id"], "verify_weigh", "sam", signature=_password_only("sam", "verified")
    )

    assert refused.status == 422
    assert refused.body["errors"] == [SESSION_CLOSED]
    assert "username and password" in refused.body["detail"]
    assert await _verify_state(api, batch["id"]) == ("active", [])
    audit = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")
    assert audit[-1]["action"] == "step.completion_refused"


async def test_later_signatures_of_the_session_need_only_the_password(api: ApiClient) -> None:
    batch = await _at_verification(api)
    opened = await complete(
        api, batch["id"], "verify_weigh", "sam", signature=signature("sam", "verified")
    )
    assert opened.status == 200, opened.body

    corrected = await _correct(api, batch["id"], _password_only("sam", "corrected"))

    assert corrected.status == 200, corrected.body
    record = (await api.get(f"/batches/{batch['id']}", "quinn")).body
    [weigh] = [s for s in record["steps"] if s["step_id"] == "weigh"]
    assert [s["meaning"] for s in weigh["signatures"]] == ["corrected"]


async def test_an_idle_session_needs_the_username_again(api: ApiClient) -> None:
    batch = await _at_verification(api)
    opened = await complete(
        api, batch["id"], "verify_weigh", "sam", signature=signature("sam", "verified")
    )
    assert opened.status == 200, opened.body
    # Sixteen minutes without signing: the state a default 15-minute idle limit closes.
    database = api.client.server.app[DATABASE]
    async with database.sessions()() as session, session.begin():
        await session.execute(
            update(AuthToken)
            .where(AuthToken.last_signed_at.is_not(None))
            .values(last_signed_at=utcnow() - timedelta(minutes=16))
        )

    idle = await _correct(api, batch["id"], _password_only("sam", "corrected"))
    reopened = await _correct(api, batch["id"], signature("sam", "corrected"))

    assert idle.status == 422 and idle.body["errors"] == [SESSION_CLOSED]
    assert "15 minutes" in idle.body["detail"]
    assert reopened.status == 200, reopened.body


async def test_a_colleague_signing_on_my_device_does_not_open_my_session(
    api: ApiClient,
) -> None:
    batch = await _at_verification(api)
    verified = await complete(
        api, batch["id"], "verify_weigh", "olivia", signature=signature("sam", "verified")
    )
    assert verified.status == 200, verified.body

    mine = await api.post(
        f"/batches/{batch['id']}/steps/weigh/correct",
        "olivia",
        {
            "values": {"net_kg": 10.1},
            "reason": "Misread the display",
            "signature": _password_only("olivia", "corrected"),
        },
    )

    assert mine.status == 422 and mine.body["errors"] == [SESSION_CLOSED]


def test_the_idle_limit_is_read_from_the_environment() -> None:
    assert settings_from_env({}).signing_idle == timedelta(minutes=15)
    configured = settings_from_env({"STEPWISE_SIGNING_IDLE_MINUTES": "5"})
    assert configured.signing_idle == timedelta(minutes=5)

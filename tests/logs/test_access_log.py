"""One access line per request (method, path, status, duration, user) and never a secret:
no token, password or query string reaches the log, as text or as JSON."""

from __future__ import annotations

import json
import logging

import pytest

from server.logs import OWN, JsonFormatter
from tests.client import PASSWORDS, ApiClient


def _access(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "stepwise.access"]


async def test_a_request_is_logged_once_with_its_user_status_and_duration(
    api: ApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    token = await api.token("olivia")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="stepwise.access"):
        answer = await api.get("/batches", "olivia")
        missing = await api.get("/batches/nope", "olivia")

    first, second = _access(caplog)
    assert answer.status == 200 and missing.status == 404
    assert (first.method, first.path, first.status, first.user) == (
        "GET",
        "/api/v1/batches",
        200,
        "olivia",
    )
    assert first.duration_ms >= 0
    assert first.getMessage().startswith("GET /api/v1/batches 200 ")
    assert first.getMessage().endswith(" ms olivia")
    assert (second.status, second.path) == (404, "/api/v1/batches/nope")
    assert token not in caplog.text


async def test_no_password_token_or_query_string_is_logged(
    api: ApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        token = await api.token("quinn")
        await api.call("GET", "/ws?token=" + token, None)
        wrong = await api.call(
            "POST", "/auth/login", None, json={"username": "sam", "password": "s3cret-Wrong"}
        )
        signed = await api.post(
            "/lots/MCC-2611-02/status",
            "quinn",
            {
                "status": "released",
                "reason": "CoA",
                "signature": {"username": "quinn", "password": "n0t-her-Password", "meaning": "x"},
            },
        )

    assert wrong.status == 401 and signed.status == 422
    # Ours: libraries log at WARNING in service (their DEBUG lines are theirs to judge).
    ours = [r for r in caplog.records if r.name.split(".")[0] in OWN]
    logged = "".join(f"{r.getMessage()} {JsonFormatter().format(r)}" for r in ours)
    for secret in (token, "s3cret-Wrong", "n0t-her-Password", PASSWORDS["quinn"], "token="):
        assert secret not in logged
    paths = [(r.method, r.path, r.status) for r in _access(caplog)]
    assert ("POST", "/api/v1/auth/login", 401) in paths
    assert any(path == "/api/v1/ws" for _, path, _ in paths)


async def test_json_lines_carry_the_access_fields(
    api: ApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="stepwise.access"):
        await api.get("/auth/me", "sam")

    line = json.loads(JsonFormatter().format(_access(caplog)[-1]))

    assert line["level"] == "INFO" and line["logger"] == "stepwise.access"
    assert line["at"].endswith("Z")
    assert {k: line[k] for k in ("method", "path", "status", "user")} == {
        "method": "GET",
        "path": "/api/v1/auth/me",
        "status": 200,
        "user": "sam",
    }
    assert isinstance(line["duration_ms"], float)
    assert line["message"].startswith("GET /api/v1/auth/me 200 ")

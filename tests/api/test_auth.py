"""Sign-in, tokens, lock-out and user administration."""

from __future__ import annotations

import asyncio

from server.auth.models import User
from server.auth.service import PasswordCheck
from tests.client import ApiClient


async def test_login_returns_token_and_user(api: ApiClient) -> None:
    answer = await api.call(
        "POST", "/auth/login", None, json={"username": "sam", "password": "sam-demo"}
    )
    assert answer.status == 200
    assert answer.body["user"] == {
        "id": answer.body["user"]["id"],
        "username": "sam",
        "full_name": "Sam Supervisor",
        "roles": ["supervisor"],
    }
    assert answer.body["expires_at"].endswith("Z")
    me = await api.call(
        "GET", "/auth/me", None, headers={"Authorization": f"Bearer {answer.body['token']}"}
    )
    assert me.body["username"] == "sam"


async def test_wrong_password_is_401_and_says_so(api: ApiClient) -> None:
    answer = await api.call("POST", "/auth/login", None, json={"username": "sam", "password": "x"})
    assert answer.status == 401
    assert answer.body["detail"] == "Unknown username or wrong password."
    unknown = await api.call(
        "POST", "/auth/login", None, json={"username": "nobody", "password": "x"}
    )
    assert unknown.status == 401 and unknown.body["detail"] == answer.body["detail"]


async def test_missing_or_forged_token_is_401(api: ApiClient) -> None:
    assert (await api.call("GET", "/batches", None)).status == 401
    forged = await api.call("GET", "/batches", None, headers={"Authorization": "Bearer forged"})
    assert forged.status == 401 and forged.body["type"].endswith("not-authenticated")


async def test_repeated_failures_lock_the_account_even_for_the_right_password(
    api: ApiClient,
) -> None:
    for _ in range(5):
        await api.call("POST", "/auth/login", None, json={"username": "omar", "password": "bad"})
    locked = await api.call(
        "POST", "/auth/login", None, json={"username": "omar", "password": "omar-demo"}
    )
    assert locked.status == 403 and "locked" in locked.body["detail"]


async def test_logout_revokes_the_token(api: ApiClient) -> None:
    token = await api.token("olivia")
    headers = {"Authorization": f"Bearer {token}"}
    assert (await api.call("POST", "/auth/logout", None, headers=headers)).status == 200
    assert (await api.call("GET", "/auth/me", None, headers=headers)).status == 401


async def test_admin_creates_user_who_can_sign_in(api: ApiClient) -> None:
    created = await api.post(
        "/users",
        "ada",
        {
            "username": "nina",
            "full_name": "Nina New",
            "roles": ["operator"],
            "password": "nina-password-1",
        },
    )
    assert created.status == 201 and created.body["roles"] == ["operator"]
    login = await api.call(
        "POST", "/auth/login", None, json={"username": "nina", "password": "nina-password-1"}
    )
    assert login.status == 200
    again = await api.post(
        "/users",
        "ada",
        {
            "username": "nina",
            "full_name": "Nina Again",
            "roles": ["operator"],
            "password": "nina-password-2",
        },
    )
    assert again.status == 409


async def test_unknown_role_is_refused(api: ApiClient) -> None:
    answer = await api.post(
        "/users",
        "ada",
        {
            "username": "rex",
            "full_name": "Rex",
            "roles": ["wizard"],
            "password": "rex-password-1",
        },
    )
    assert answer.status == 422 and answer.body["errors"][0]["field"] == "roles"


async def test_a_crowd_signing_in_at_once_is_served(api: ApiClient) -> None:
    # A shift change: the password checks queue for the CPU, not for the database.
    people = [("sam", "sam-demo"), ("olivia", "olivia-demo"), ("quinn", "quinn-demo")] * 4
    answers = await asyncio.gather(
        *(
            api.call("POST", "/auth/login", None, json={"username": name, "password": password})
            for name, password in people
        )
    )
    assert [answer.status for answer in answers] == [200] * len(people)
    assert len({answer.body["token"] for answer in answers}) == len(people)


async def test_a_password_check_made_before_the_password_changed_no_longer_holds() -> None:
    check = await PasswordCheck.of(None, "anything")
    assert not check.matched
    user = User(username="sam", password_hash="$argon2id$old", active=True)
    assert PasswordCheck("$argon2id$old", matched=True).holds_for(user)
    assert not PasswordCheck("$argon2id$older", matched=True).holds_for(user)
    assert not PasswordCheck("$argon2id$old", matched=False).holds_for(user)
    user.active = False
    assert not PasswordCheck("$argon2id$old", matched=True).holds_for(user)

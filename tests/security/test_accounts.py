"""Finding 12 of the adversarial review (§11.300 controls): administrators deactivate,
reactivate, unlock, reset passwords (forcing a change), change roles and revoke sessions;
users change their own passwords under the site's rules; everything is audited."""

from __future__ import annotations

from tests.client import PASSWORDS, ApiClient
from tests.security.accounts_support import sign_in, user_audit, user_ids

WHY = {"reason": "ticket 42"}


async def test_a_deactivated_user_can_neither_sign_in_nor_use_a_token_until_reactivated(
    api: ApiClient,
) -> None:
    ids = await user_ids(api)
    token_before = await api.token("omar")
    answer = await api.post(f"/users/{ids['omar']}/deactivate", "ada", WHY)
    assert answer.status == 200 and answer.body["active"] is False
    headers = {"Authorization": f"Bearer {token_before}"}
    assert (await api.call("GET", "/auth/me", None, headers=headers)).status == 401
    assert (await sign_in(api, "omar", PASSWORDS["omar"])).status == 401
    assert (await api.post(f"/users/{ids['omar']}/activate", "ada", WHY)).status == 200
    assert (await sign_in(api, "omar", PASSWORDS["omar"])).status == 200
    actions = [(e["action"], e["actor"], e["reason"]) for e in await user_audit(api, ids["omar"])]
    assert ("user.deactivated", "ada (Ada Admin)", "ticket 42") in actions
    assert ("user.activated", "ada (Ada Admin)", "ticket 42") in actions


async def test_an_admin_unlocks_a_user_locked_by_failed_sign_ins(api: ApiClient) -> None:
    ids = await user_ids(api)
    for _ in range(5):
        await sign_in(api, "sam", "wrong-password")
    assert (await sign_in(api, "sam", PASSWORDS["sam"])).status == 403
    unlocked = await api.post(f"/users/{ids['sam']}/unlock", "ada", WHY)
    assert unlocked.status == 200 and unlocked.body["locked_until"] is None
    assert (await sign_in(api, "sam", PASSWORDS["sam"])).status == 200
    [entry] = [e for e in await user_audit(api, ids["sam"]) if e["action"] == "user.unlocked"]
    assert entry["old"]["locked_until"] is not None and entry["new"]["locked_until"] is None


async def test_a_reset_password_must_be_changed_before_anything_else(api: ApiClient) -> None:
    ids = await user_ids(api)
    old_token = await api.token("olivia")
    reset = await api.post(f"/users/{ids['olivia']}/reset-password", "ada", WHY)
    assert reset.status == 200 and reset.body["user"]["must_change_password"] is True
    temporary = reset.body["temporary_password"]
    headers = {"Authorization": f"Bearer {old_token}"}
    assert (await api.call("GET", "/batches", None, headers=headers)).status == 401

    refused = await sign_in(api, "olivia", temporary)
    assert refused.status == 403 and "token" not in refused.body
    assert refused.body["errors"][0]["code"] == "password_change_required"

    short = {"username": "olivia", "current_password": temporary, "new_password": "short-1"}
    too_short = await api.call("POST", "/auth/password", None, json=short)
    assert too_short.status == 422 and too_short.body["errors"][0]["field"] == "new_password"
    change = {**short, "new_password": "a much longer passphrase"}
    assert (await api.call("POST", "/auth/password", None, json=change)).status == 200
    assert (await sign_in(api, "olivia", temporary)).status == 401
    assert (await sign_in(api, "olivia", "a much longer passphrase")).status == 200
    actions = [e["action"] for e in await user_audit(api, ids["olivia"])]
    assert actions[-2:] == ["user.password_reset", "user.password_changed"]
    assert temporary not in str(await user_audit(api, ids["olivia"]))


async def test_a_user_changes_their_own_password_only_with_the_current_one(
    api: ApiClient,
) -> None:
    wrong = {"username": "quinn", "current_password": "guess", "new_password": "x" * 12 + "1"}
    assert (await api.call("POST", "/auth/password", None, json=wrong)).status == 401
    right = {**wrong, "current_password": PASSWORDS["quinn"]}
    assert (await api.call("POST", "/auth/password", None, json=right)).status == 200
    assert (await sign_in(api, "quinn", PASSWORDS["quinn"])).status == 401
    assert (await sign_in(api, "quinn", "x" * 12 + "1")).status == 200


async def test_roles_change_with_old_and_new_in_the_audit(api: ApiClient) -> None:
    ids = await user_ids(api)
    body = {"roles": ["operator", "supervisor"], "reason": "promoted"}
    answer = await api.call("PUT", f"/users/{ids['omar']}/roles", "ada", json=body)
    assert answer.status == 200 and answer.body["roles"] == ["operator", "supervisor"]
    assert (await api.post("/batches", "omar", {"procedure": "x"})).status != 403
    [entry] = [e for e in await user_audit(api, ids["omar"]) if e["action"] == "user.roles_changed"]
    assert entry["old"] == {"roles": ["operator"]}
    assert entry["new"] == {"roles": ["operator", "supervisor"]}
    unknown = {"roles": ["wizard"], "reason": "typo"}
    refused = await api.call("PUT", f"/users/{ids['omar']}/roles", "ada", json=unknown)
    assert refused.status == 422


async def test_an_admin_cannot_lock_themselves_out(api: ApiClient) -> None:
    ids = await user_ids(api)
    assert (await api.post(f"/users/{ids['ada']}/deactivate", "ada", WHY)).status == 403
    demote = {"roles": ["operator"], "reason": "oops"}
    assert (await api.call("PUT", f"/users/{ids['ada']}/roles", "ada", json=demote)).status == 403
    assert (await api.get("/users", "ada")).status == 200


async def test_only_admins_control_accounts_and_unknown_users_are_404(api: ApiClient) -> None:
    ids = await user_ids(api)
    assert (await api.post(f"/users/{ids['omar']}/deactivate", "sam", WHY)).status == 403
    assert (await api.post("/users/no-such-user/unlock", "ada", WHY)).status == 404
    assert (await api.post(f"/users/{ids['omar']}/unlock", "ada", {})).status == 422


async def test_new_users_follow_the_password_rules(api: ApiClient) -> None:
    body = {"username": "nia", "full_name": "Nia", "roles": ["operator"], "password": "eleven-char"}
    refused = await api.post("/users", "ada", body)
    assert refused.status == 422 and "12 characters" in refused.body["detail"]
    assert (await api.post("/users", "ada", {**body, "password": "twelve-chars"})).status == 201

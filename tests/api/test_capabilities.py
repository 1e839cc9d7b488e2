"""`GET /auth/me` says what the user may do, by the roles the endpoints themselves declare."""

from __future__ import annotations

from server.web.app import APIS
from tests.api.test_role_matrix import ROLE_USER
from tests.client import ApiClient

# Each capability and the endpoint it opens: the capability follows that endpoint's roles.
OPENS = {
    "create_batches": ("POST", "/batches"),
    "start_batches": ("POST", "/batches/{batch_id}/start"),
    "annotate_streams": ("POST", "/batches/{batch_id}/annotations"),
}


def _roles_of(method: str, path: str) -> frozenset[str]:
    [roles] = [
        e.roles for api_ in APIS for e in api_.endpoints if (e.method, e.path) == (method, path)
    ]
    assert roles is not None
    return roles


async def test_capabilities_follow_the_roles_of_the_endpoints_they_open(api: ApiClient) -> None:
    for role, username in ROLE_USER.items():
        me = await api.get("/auth/me", username)
        assert me.status == 200
        assert me.body["roles"] == [role]
        assert me.body["can"] == {
            capability: role in _roles_of(*endpoint) for capability, endpoint in OPENS.items()
        }, role


async def test_a_user_with_several_roles_may_do_what_any_of_them_may(api: ApiClient) -> None:
    created = await api.post(
        "/users",
        "ada",
        {
            "username": "olga",
            "full_name": "Olga Operator-QA",
            "roles": ["operator", "qa"],
            "password": "olga-password",
        },
    )
    assert created.status == 201, created.body
    login = await api.call(
        "POST", "/auth/login", None, json={"username": "olga", "password": "olga-password"}
    )
    me = await api.call(
        "GET", "/auth/me", None, headers={"Authorization": f"Bearer {login.body['token']}"}
    )
    assert me.body["can"] == {
        "create_batches": False,
        "start_batches": True,
        "annotate_streams": True,
    }
    assert set(me.body) == {"id", "username", "full_name", "roles", "csrf_token", "can"}

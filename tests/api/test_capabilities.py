"""`GET /auth/me` says what the user may do, by the roles the endpoints themselves declare."""

from __future__ import annotations

from server.app import APIS
from tests.api.test_role_matrix import ROLE_USER
from tests.client import ApiClient

# Each capability and the endpoint it opens: the capability follows that endpoint's roles.
OPENS = {
    "create_batches": ("POST", "/batches"),
    "start_batches": ("POST", "/batches/{batch_id}/start"),
    "annotate_streams": ("POST", "/batches/{batch_id}/annotations"),
    "administer_users": ("POST", "/users/{user_id}/deactivate"),
    "author_procedures": ("POST", "/procedures"),
    "approve_procedures": ("POST", "/procedures/{key}/versions/{version}/approve"),
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
        assert set(me.body) == {"id", "username", "full_name", "roles", "csrf_token", "can"}
        assert me.body["can"] == {
            capability: role in _roles_of(*endpoint) for capability, endpoint in OPENS.items()
        }, role

"""Every declared endpoint, called by every role: refused exactly when the role is not allowed."""

from __future__ import annotations

import re

from server.app import APIS
from server.auth.roles import ROLES
from tests.client import ApiClient

ROLE_USER = {
    "operator": "olivia",
    "supervisor": "sam",
    "qa": "quinn",
    "author": "alex",
    "admin": "ada",
}


def _concrete(path: str) -> str:
    return re.sub(r"{version}", "1", re.sub(r"{(\w+)}", "no-such-id", path))


async def test_every_endpoint_checks_the_role(api: ApiClient) -> None:
    checked = 0
    for endpoint in (e for api_ in APIS for e in api_.endpoints):
        if endpoint.plain or endpoint.roles is None:
            continue
        for role in sorted(ROLES):
            answer = await api.call(
                endpoint.method,
                _concrete(endpoint.path),
                ROLE_USER[role],
                json={} if endpoint.body else None,
            )
            if endpoint.path == "/auth/logout":
                api.forget(ROLE_USER[role])
            if role in endpoint.roles:
                assert answer.status not in (401, 403), (endpoint.path, role, answer.body)
            else:
                assert answer.status == 403, (endpoint.path, role, answer.status)
            anonymous = await api.call(endpoint.method, _concrete(endpoint.path), None)
            assert anonymous.status == 401, endpoint.path
            checked += 1
    assert checked >= 5 * 12

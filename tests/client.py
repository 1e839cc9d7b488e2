"""A thin test client speaking the public API as a device would."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp.test_utils import TestClient

from server.demo import DEMO_USERS

PASSWORDS = {user.username: user.password for user in DEMO_USERS}


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


NEXT_LINK = re.compile(r'^<(?P<url>/api/v1/[^>]+)>; rel="next"$')


def next_page(answer: Answer) -> str | None:
    """The path (under /api/v1) of a list's next page, from its Link header; None on the last."""
    link = answer.headers.get("Link")
    if link is None:
        return None
    match = NEXT_LINK.match(link)
    assert match, link
    return match["url"].removeprefix("/api/v1")


class ApiClient:
    """Signs in as demo users and calls `/api/v1` with their bearer tokens."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self._tokens: dict[str, str] = {}

    async def token(self, username: str) -> str:
        if username not in self._tokens:
            answer = await self.call(
                "POST",
                "/auth/login",
                None,
                json={"username": username, "password": PASSWORDS[username]},
            )
            assert answer.status == 200, answer.body
            self._tokens[username] = answer.body["token"]
        return self._tokens[username]

    def forget(self, username: str) -> None:
        """Drop a cached token (after signing out), so the next call signs in again."""
        self._tokens.pop(username, None)

    async def call(
        self,
        method: str,
        path: str,
        as_user: str | None,
        *,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Answer:
        headers = dict(headers or {})
        if as_user is not None:
            headers["Authorization"] = f"Bearer {await self.token(as_user)}"
        async with self.client.request(method, "/api/v1" + path, headers=headers, **kwargs) as resp:
            body = await resp.json(content_type=None) if await resp.read() else None
            return Answer(resp.status, body, dict(resp.headers))

    async def get(self, path: str, as_user: str, **kwargs: Any) -> Answer:
        return await self.call("GET", path, as_user, **kwargs)

    async def get_all(self, path: str, as_user: str) -> list[Any]:
        """Every item of a paged list, following `Link: <...>; rel="next"` as a client does."""
        items: list[Any] = []
        following: str | None = path
        while following is not None:
            answer = await self.get(following, as_user)
            assert answer.status == 200, answer.body
            assert isinstance(answer.body, list), answer.body
            items += answer.body
            following = next_page(answer)
        return items

    async def post(self, path: str, as_user: str, json: Any = None, **kwargs: Any) -> Answer:
        return await self.call("POST", path, as_user, json=json, **kwargs)

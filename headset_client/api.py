"""Talking to the Stepwise server: JSON over HTTP and the event WebSocket, with aiohttp.

A `307`/`308` is followed here, with the token: a live stream lives in one server process, and
another answers its requests with a redirect there (RFC 9725 §4.5), which aiohttp would
follow without the `Authorization` header (it drops it on a change of origin).

aiohttp's errors are translated here, once: no answer, a timeout or a 5xx is
ServerUnreachable (try again, with the same Idempotency-Key); a 4xx is ServerRefused with the
server's problem document.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from headset_client.exceptions import ServerRefused, ServerUnreachable, SignInFailed
from headset_client.outbox import Request

PREFIX = "/api/v1"
MAX_REDIRECTS = 3
REDIRECTS = frozenset({307, 308})  # the method and body go again, unchanged


@dataclass(frozen=True)
class Answer:
    """A 2xx answer: its status, JSON body (None when empty or not JSON) and raw bytes."""

    status: int
    body: Any
    headers: dict[str, str]
    raw: bytes


def api_root(server: str) -> str:
    """`http://host:port` or `http://host:port/api/v1` → the API root URL."""
    root = server.rstrip("/")
    return root if root.endswith(PREFIX) else root + PREFIX


NEXT_LINK = re.compile(r'<(?P<url>[^>]+)>;\s*rel="next"')


class StepwiseApi:
    """The public API of one server, as one signed-in user."""

    def __init__(self, session: aiohttp.ClientSession, server: str, timeout: float = 10.0) -> None:
        self.session = session
        self.root = api_root(server)
        self.token: str | None = None
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def login(self, username: str, password: str) -> dict[str, Any]:
        """Sign in; keeps the bearer token and returns the user."""
        body = {"username": username, "password": password}
        try:
            answer = await self.send(Request.json("POST", "/auth/login", body), authorised=False)
        except ServerRefused as exc:
            if exc.status == 401:
                raise SignInFailed(f"{username}: user name or password refused") from exc
            raise
        self.token = answer.body["token"]
        return answer.body["user"]

    async def get(self, path: str) -> Any:
        """GET a JSON document."""
        return (await self._call("GET", path, None, {})).body

    async def download(self, path: str) -> bytes:
        """GET a file's bytes (a stored picture, video or PDF)."""
        return (await self._call("GET", path, None, {})).raw

    async def get_all(self, path: str) -> list[Any]:
        """Every item of a paged list, following its `Link: <...>; rel="next"` pages."""
        items: list[Any] = []
        following: str | None = path
        while following is not None:
            answer = await self._call("GET", following, None, {})
            items += answer.body
            link = NEXT_LINK.search(answer.headers.get("Link", ""))
            following = self.path_of(link["url"]) if link else None
        return items

    async def send(
        self, request: Request, key: str | None = None, *, authorised: bool = True
    ) -> Answer:
        """Send a request (with its Idempotency-Key, if any) and return the 2xx answer."""
        headers = {"Content-Type": request.content_type}
        if key is not None:
            headers["Idempotency-Key"] = key
        return await self._call(
            request.method, request.path, request.body, headers, authorised=authorised
        )

    def path_of(self, location: str) -> str:
        """The API path of a `Location` the server answered (absolute path or URL)."""
        index = location.find(PREFIX)
        return location[index + len(PREFIX) :] if index >= 0 else location

    def websocket(self) -> Any:
        """A context manager connecting the event WebSocket (token in the query)."""
        url = f"{self.root}/ws"
        return self.session.ws_connect(
            url,
            params={"token": self.token or ""},
            heartbeat=20.0,
            timeout=aiohttp.ClientWSTimeout(ws_close=self._timeout.total),
        )

    async def _call(
        self,
        method: str,
        path: str,
        body: bytes | None,
        headers: dict[str, str],
        *,
        authorised: bool = True,
    ) -> Answer:
        if authorised and self.token:
            headers = {**headers, "Authorization": f"Bearer {self.token}"}
        url = URL(self.root + path)
        try:
            for _ in range(MAX_REDIRECTS + 1):
                async with self.session.request(
                    method,
                    url,
                    data=body,
                    headers=headers,
                    timeout=self._timeout,
                    allow_redirects=False,
                ) as response:
                    raw = await response.read()
                    status, answer_headers = response.status, dict(response.headers)
                if status not in REDIRECTS or "Location" not in answer_headers:
                    break
                url = url.join(URL(answer_headers["Location"]))
            else:
                raise ServerUnreachable(f"{method} {path}: more than {MAX_REDIRECTS} redirects")
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ServerUnreachable(f"{method} {path}: {type(exc).__name__}: {exc}") from exc
        document = _json(raw)
        if status >= 500 or status in (408, 429):
            raise ServerUnreachable(f"{method} {path}: {status}")
        if status >= 400:
            if not isinstance(document, dict):
                document = {"status": status, "title": raw[:200].decode("utf-8", "replace")}
            raise ServerRefused(status, document)
        return Answer(status, document, answer_headers, raw)


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None

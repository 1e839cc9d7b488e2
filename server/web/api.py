"""Declaring endpoints once: path, roles, body and answer shapes, idempotency.

The declaration drives the dispatch (authorise, parse, transaction, replay, events),
the OpenAPI document and the role matrix test, so the three cannot drift apart.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.auth import service as auth
from server.auth.browser import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE, csrf_matches
from server.auth.exceptions import CsrfRejected, NotAuthenticated, RoleNotPermitted
from server.auth.models import User
from server.config import Settings
from server.errors import StepwiseError
from server.events.staging import take_staged
from server.idempotency import service as idempotency
from server.web import signature_checks
from server.web.body import BodyTooLarge, parse_json
from server.web.keys import DATABASE, EVENTS, SETTINGS

log = logging.getLogger(__name__)
PREFIX = "/api/v1"
B = TypeVar("B")


@dataclass
class Call(Generic[B]):
    """Everything a handler needs: the request, its open transaction, user and body."""

    request: web.Request
    session: AsyncSession
    user: User
    body: B
    settings: Settings

    def param(self, name: str) -> str:
        return self.request.match_info[name]


Handler = Callable[[Call[Any]], Awaitable[Any]]
PlainHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Endpoint:
    """One declared route."""

    method: str
    path: str
    handler: Handler | PlainHandler
    summary: str
    tag: str
    roles: frozenset[str] | None
    body: type[BaseModel] | None
    response: Any
    status: int
    readonly: bool
    idempotent: bool
    plain: bool
    produces: tuple[str, ...]
    upload: type[BaseModel] | None
    consumes: tuple[str, ...]


class Api:
    """The endpoints of one domain."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.endpoints: list[Endpoint] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        roles: frozenset[str] | None,
        body: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        idempotent: bool = False,
        plain: bool = False,
        produces: tuple[str, ...] = ("application/json",),
        upload: type[BaseModel] | None = None,
        consumes: tuple[str, ...] = (),
    ) -> Callable[[Any], Any]:
        """Declare a handler; GETs run in read-only transactions.

        `roles=None` is for the few public endpoints. `plain=True` declares an aiohttp
        handler that manages its own transactions (sign-in, WebSocket, OpenAPI); it is
        documented like the others. `produces` names the media types of a handler that
        answers with a file (a label, an image) instead of JSON. `upload` documents a body the
        handler reads itself: a multipart file upload, or JSON of that shape. `consumes` names the
        media types of a raw body the handler reads itself (an image).
        """

        def register(handler: Any) -> Any:
            self.endpoints.append(
                Endpoint(
                    method=method,
                    path=path,
                    handler=handler,
                    summary=summary,
                    tag=self.tag,
                    roles=roles,
                    body=body,
                    response=response,
                    status=status,
                    readonly=method == "GET",
                    idempotent=idempotent,
                    plain=plain,
                    produces=produces,
                    upload=upload,
                    consumes=consumes,
                )
            )
            return handler

        return register


def bearer_token(request: web.Request) -> str | None:
    """The token from `Authorization: Bearer`, or `?token=` for WebSockets."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.query.get("token") if request.path.endswith("/ws") else None


def cookie_token(request: web.Request) -> str | None:
    """The browser session token from its HttpOnly cookie."""
    return request.cookies.get(SESSION_COOKIE) or None


def _check_browser_request(request: web.Request, token: str) -> None:
    """Cookie-authenticated writes need the CSRF token; WebSockets the same origin."""
    if request.headers.get("Upgrade", "").lower() == "websocket":
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            raise CsrfRejected("cross-origin WebSocket")
        return
    if request.method not in SAFE_METHODS and not csrf_matches(
        token, request.headers.get(CSRF_HEADER)
    ):
        raise CsrfRejected(f"missing or wrong {CSRF_HEADER} header")


async def current_user(request: web.Request, session: AsyncSession) -> User:
    """The signed-in user (bearer token, or browser cookie), or NotAuthenticated."""
    token = bearer_token(request)
    if token is None and (token := cookie_token(request)) is not None:
        _check_browser_request(request, token)
    if token is None:
        raise NotAuthenticated("Sign in first: send Authorization: Bearer <token>.")
    return await auth.user_for_token(session, token)


def _serialise(payload: Any) -> str:
    if isinstance(payload, BaseModel):
        return payload.model_dump_json()
    if isinstance(payload, list):
        return "[" + ",".join(_serialise(item) for item in payload) + "]"
    return json.dumps(payload)


def _json(status: int, body: str, *, replayed: bool = False) -> web.Response:
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return web.Response(status=status, text=body, content_type="application/json", headers=headers)


class _Dispatch:
    """The aiohttp handler of one endpoint."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        endpoint = self.endpoint
        raw = await request.read() if endpoint.body is not None else b""
        limit = request.app[SETTINGS].max_body_bytes
        if len(raw) > limit:
            raise BodyTooLarge(limit)
        key = request.headers.get("Idempotency-Key") if endpoint.idempotent else None
        early = await self._signed_body(request, raw)
        try:
            return await self._in_transaction(request, raw, key, early)
        except IntegrityError:
            if key is None:
                raise
            # A concurrent request with the same key committed first: replay its answer.
            return await self._in_transaction(request, raw, key, early)
        except StepwiseError as exc:
            if exc.refusal is not None:
                await self._record_refusal(request, exc)
            raise

    async def _signed_body(self, request: web.Request, raw: bytes) -> BaseModel | None:
        """A body carrying e-signatures, parsed with their passwords verified before the
        transaction; None otherwise, or if it does not parse (the transaction refuses it,
        after checking who asks, as for any body)."""
        endpoint = self.endpoint
        if endpoint.body is None or signature_checks.MARKER not in raw:
            return None
        try:
            body = parse_json(raw, request.content_type, endpoint.body)
        except StepwiseError:
            return None
        if next(signature_checks.signatures_in(body), None) is not None:
            async with request.app[DATABASE].sessions(readonly=True)() as session:
                user = await current_user(request, session)
            await signature_checks.verify_early(request, user, body)
        return body

    async def _in_transaction(
        self, request: web.Request, raw: bytes, key: str | None, early: BaseModel | None
    ) -> web.Response:
        endpoint = self.endpoint
        database, bus = request.app[DATABASE], request.app[EVENTS]
        fingerprint = hashlib.sha256(
            request.method.encode() + b" " + request.path.encode() + b"\n" + raw
        ).hexdigest()
        sessions = database.sessions(readonly=endpoint.readonly)
        async with sessions() as session, session.begin():
            user = await current_user(request, session)
            assert endpoint.roles is not None
            if not user.has_any_role(endpoint.roles):
                raise RoleNotPermitted(endpoint.summary, endpoint.roles)
            body = early
            if body is None and endpoint.body is not None:
                body = parse_json(raw, request.content_type, endpoint.body)
            claimed = None
            if key is not None:
                claimed = await idempotency.claim(
                    session,
                    user_id=user.id,
                    key=key,
                    method=request.method,
                    path=request.path,
                    fingerprint=fingerprint,
                )
                if isinstance(claimed, idempotency.StoredAnswer):
                    return _json(claimed.status, claimed.body, replayed=True)
            call = Call(request, session, user, body, request.app[SETTINGS])
            result = await endpoint.handler(call)  # type: ignore[arg-type]
            if isinstance(result, web.StreamResponse):
                return result  # a file (label, image): not JSON, never replayed
            text = _serialise(result)
            if claimed is not None:
                answer = idempotency.StoredAnswer(endpoint.status, text)
                await idempotency.remember(session, claimed, answer)
            events = take_staged(session)
            await bus.before_commit(session, events)
        bus.after_commit(events)
        return _json(endpoint.status, text)

    async def _record_refusal(self, request: web.Request, error: StepwiseError) -> None:
        assert error.refusal is not None
        async with request.app[DATABASE].sessions()() as session, session.begin():
            await audit.record_refusal(session, error.refusal, error.detail)


def _dispatcher(endpoint: Endpoint) -> PlainHandler:
    dispatch = _Dispatch(endpoint)

    async def handle(request: web.Request) -> web.StreamResponse:
        return await dispatch(request)

    return handle


def mount(app: web.Application, apis: list[Api]) -> None:
    """Add every declared endpoint to the application's router."""
    for api in apis:
        for endpoint in api.endpoints:
            handler = endpoint.handler if endpoint.plain else _dispatcher(endpoint)
            app.router.add_route(endpoint.method, PREFIX + endpoint.path, handler)  # type: ignore[arg-type]

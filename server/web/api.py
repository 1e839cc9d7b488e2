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
from server.db.engine import Database
from server.db.paging import Page
from server.db.unit_of_work import unit_of_work
from server.errors import StepwiseError
from server.idempotency import service as idempotency
from server.web.access_log import note_user
from server.web.body import parse_json, read_body
from server.web.keys import DATABASE, EVENTS, SETTINGS
from server.web.listing import headers_of

log = logging.getLogger(__name__)
PREFIX = "/api/v1"
B = TypeVar("B")
P = TypeVar("P")


@dataclass(frozen=True)
class Preparation(Generic[B]):
    """What an endpoint's prepare phase sees: who asks and what, with no transaction open."""

    request: web.Request
    user: User | None
    body: B
    settings: Settings
    raw: bytes = b""

    def param(self, name: str) -> str:
        return self.request.match_info[name]

    @property
    def database(self) -> Database:
        return self.request.app[DATABASE]


@dataclass
class Call(Generic[B]):
    """Everything a handler needs: the request, its open transaction, user and body, and
    what the endpoint's prepare phase produced before the transaction opened."""

    request: web.Request
    session: AsyncSession
    signed_in: User | None
    body: B
    settings: Settings
    prepared: object = None
    raw: bytes = b""

    @property
    def user(self) -> User:
        """The signed-in user (every endpoint but the few public ones has one)."""
        assert self.signed_in is not None, "a public endpoint has no signed-in user"
        return self.signed_in

    def param(self, name: str) -> str:
        return self.request.match_info[name]

    def prepared_as(self, kind: type[P]) -> P:
        """The prepare phase's result, as the type the endpoint declared it to be."""
        assert isinstance(self.prepared, kind), f"{self.request.path}: prepared {kind.__name__}"
        return self.prepared


Handler = Callable[[Call[Any]], Awaitable[Any]]
PlainHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Prepare = Callable[[Preparation[Any]], Awaitable[object]]


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
    prepare: Prepare | None
    optional_body: bool
    max_body: int | None
    paged: bool = False
    filters: tuple[tuple[str, str], ...] = ()
    redirects: bool = False

    @property
    def reads_upload(self) -> bool:
        """The body is a file, a form carrying one or another raw document (SDP) that the
        handler reads from `call.raw`."""
        return bool(self.consumes) or self.upload is not None

    def body_limit(self, settings: Settings) -> int:
        if self.max_body is not None:
            return self.max_body
        return settings.max_upload_bytes if self.reads_upload else settings.max_body_bytes


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
        prepare: Prepare | None = None,
        optional_body: bool = False,
        max_body: int | None = None,
        paged: bool = False,
        filters: dict[str, str] | None = None,
        redirects: bool = False,
    ) -> Callable[[Any], Any]:
        """Declare a handler; GETs run in read-only transactions.

        `roles=None` is for the few public endpoints (sign-in). `plain=True` declares an
        aiohttp handler for what is no request/response (the WebSocket, trickle ICE's 405); it
        is documented like the others. `produces` names the media types of a handler that
        answers with a file (a label, an image, SDP) instead of JSON. `upload` documents a body
        the handler reads itself from `call.raw`: a multipart file upload, or JSON of that
        shape. `consumes` names the media types of a raw body read into `call.raw` (an image,
        an SDP offer).

        `prepare` is a phase for slow or blocking work (password and signature checks,
        reading a balance, waiting for a video frame): it runs after authentication and body
        parsing and before the write transaction opens, so no database connection (on SQLite:
        the one writer) waits on it; its result reaches the handler as `call.prepared`.
        `optional_body`: no body at all stands for the body model's defaults. `max_body`: a
        size limit of the endpoint's own, in bytes, instead of the JSON or upload limit.
        `paged`: a list read a page at a time (`?limit=&cursor=`, the handler returns a
        `Page`, whose `Link` and total headers the answer carries); `filters` documents its
        query parameters, name to description.
        `redirects`: it may answer 307 to another server process (a stream living there).
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
                    prepare=prepare,
                    optional_body=optional_body,
                    max_body=max_body,
                    paged=paged,
                    filters=tuple((filters or {}).items()),
                    redirects=redirects,
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
    user = await auth.user_for_token(session, token)
    note_user(request, user.username)
    return user


def _serialise(payload: Any) -> str:
    if isinstance(payload, BaseModel):
        return payload.model_dump_json()
    if isinstance(payload, list):
        return "[" + ",".join(_serialise(item) for item in payload) + "]"
    return json.dumps(payload)


def _json(status: int, body: str, *, replayed: bool = False) -> web.Response:
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return web.Response(status=status, text=body, content_type="application/json", headers=headers)


@dataclass(frozen=True)
class _Prepared:
    """What the phases before the transaction produced."""

    user: User | None
    raw: bytes
    body: Any
    prepared: object


class _Dispatch:
    """The aiohttp handler of one endpoint. Its phases: who asks (a short read-only session),
    the body (read whole, parsed), prepare (no transaction open), then the unit of work
    (replay or handle, commit, publish)."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        endpoint = self.endpoint
        settings = request.app[SETTINGS]
        # Who asks is known before any body is read: a stranger's body costs nothing.
        user = await self._authorised_apart(request)
        reads = endpoint.body is not None or endpoint.reads_upload
        limit, seconds = endpoint.body_limit(settings), settings.body_read_seconds
        raw = await read_body(request, limit, seconds) if reads else b""
        key = request.headers.get("Idempotency-Key") if endpoint.idempotent else None
        if key is not None:
            key = idempotency.checked_key(key)
        body, prepared = self._parsed(request, raw), None
        if endpoint.prepare is not None:
            prepared = await endpoint.prepare(Preparation(request, user, body, settings, raw))
        phase = _Prepared(user, raw, body, prepared)
        try:
            return await self._in_transaction(request, key, phase)
        except IntegrityError:
            if key is None:
                raise
            # A concurrent request with the same key committed first: replay its answer.
            return await self._in_transaction(request, key, phase)
        except StepwiseError as exc:
            if exc.refusal is not None:
                await self._record_refusal(request, exc)
            raise

    async def _authorised(self, request: web.Request, session: AsyncSession) -> User | None:
        """Who asks, if their role may call this endpoint (None for a public endpoint)."""
        roles = self.endpoint.roles
        if roles is None:
            return None
        user = await current_user(request, session)
        if not user.has_any_role(roles):
            raise RoleNotPermitted(self.endpoint.summary, roles)
        return user

    async def _authorised_apart(self, request: web.Request) -> User | None:
        async with request.app[DATABASE].lone_reads() as session:
            return await self._authorised(request, session)

    def _parsed(self, request: web.Request, raw: bytes) -> Any:
        model = self.endpoint.body
        if model is None:
            return None
        if not raw and self.endpoint.optional_body:
            return model()
        return parse_json(raw, request.content_type, model)

    async def _in_transaction(
        self, request: web.Request, key: str | None, phase: _Prepared
    ) -> web.StreamResponse:
        endpoint = self.endpoint
        database, bus = request.app[DATABASE], request.app[EVENTS]
        raw, body = phase.raw, phase.body
        async with unit_of_work(database, bus, readonly=endpoint.readonly) as session:
            # The user read before the body, adopted without reading it again.
            user = None if phase.user is None else await session.merge(phase.user, load=False)
            claimed = None
            if key is not None and user is not None:
                claimed = await idempotency.claim(
                    session,
                    user_id=user.id,
                    key=key,
                    method=request.method,
                    path=request.path,
                    fingerprint=_fingerprint(request, raw),
                )
                if isinstance(claimed, idempotency.StoredAnswer):
                    return _json(claimed.status, claimed.body, replayed=True)
            call = Call(request, session, user, body, request.app[SETTINGS], phase.prepared, raw)
            result = await endpoint.handler(call)  # type: ignore[arg-type]
            if isinstance(result, web.StreamResponse):
                return result  # a file (label, image) or a hand-made answer: never replayed
            if isinstance(result, Page):
                answer = _json(endpoint.status, _serialise(result.items))
                answer.headers.update(headers_of(request, result))
                return answer
            text = _serialise(result)
            if claimed is not None:
                answer = idempotency.StoredAnswer(endpoint.status, text)
                await idempotency.remember(session, claimed, answer)
        return _json(endpoint.status, text)

    async def _record_refusal(self, request: web.Request, error: StepwiseError) -> None:
        assert error.refusal is not None
        async with request.app[DATABASE].sessions()() as session, session.begin():
            await audit.record_refusal(session, error.refusal, error.detail)


def _fingerprint(request: web.Request, raw: bytes) -> str:
    """What an Idempotency-Key is bound to: the same key must come with the same request."""
    return hashlib.sha256(
        request.method.encode() + b" " + request.path.encode() + b"\n" + raw
    ).hexdigest()


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

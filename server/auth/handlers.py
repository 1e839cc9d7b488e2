"""Sign-in, sign-out and user administration."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web

from server.auth import service as auth
from server.auth.browser import SESSION_COOKIE, csrf_token
from server.auth.models import User
from server.auth.roles import ADMINS, EVERYONE
from server.auth.schemas import (
    BrowserSessionOut,
    CreateUserIn,
    LoginIn,
    LoginOut,
    MeOut,
    SignedOut,
    UserOut,
)
from server.web.api import Api, Call, bearer_token, cookie_token, current_user
from server.web.body import parse_json
from server.web.keys import DATABASE, SETTINGS
from server.web.password_checks import gated_check

api = Api("auth")


@api.route(
    "POST",
    "/auth/login",
    summary="Sign in and receive a bearer token",
    roles=None,
    body=LoginIn,
    response=LoginOut,
    plain=True,
)
async def login(request: web.Request) -> web.Response:
    user, token, expires_at = await _sign_in(request, kind="bearer")
    answer = LoginOut(token=token, expires_at=expires_at, user=UserOut.of(user))
    return web.json_response(text=answer.model_dump_json())


async def _sign_in(request: web.Request, *, kind: str) -> tuple[User, str, datetime]:
    body = parse_json(await request.read(), request.content_type, LoginIn)
    check = await gated_check(request, body.username, body.password)
    async with request.app[DATABASE].sessions()() as session, session.begin():
        outcome = await auth.attempt_login(
            session, request.app[SETTINGS], body.username, check, kind=kind
        )
    # Raised only now, so that the failed attempt (lock-out counter) is committed.
    return outcome.accepted()


@api.route(
    "POST",
    "/auth/session",
    summary="Browser sign-in: sets an HttpOnly session cookie",
    roles=None,
    body=LoginIn,
    response=BrowserSessionOut,
    plain=True,
)
async def open_browser_session(request: web.Request) -> web.Response:
    user, token, expires_at = await _sign_in(request, kind="cookie")
    answer = BrowserSessionOut(
        user=UserOut.of(user), csrf_token=csrf_token(token), expires_at=expires_at
    )
    response = web.json_response(text=answer.model_dump_json())
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/",
        secure=request.secure,
        max_age=int(request.app[SETTINGS].token_lifetime.total_seconds()),
    )
    return response


@api.route(
    "DELETE",
    "/auth/session",
    summary="Browser sign-out",
    roles=EVERYONE,
    response=SignedOut,
    plain=True,
)
async def close_browser_session(request: web.Request) -> web.Response:
    async with request.app[DATABASE].sessions()() as session, session.begin():
        await current_user(request, session)
        token = cookie_token(request)
        if token is not None:
            await auth.revoke_token(session, token)
    response = web.json_response(text=SignedOut().model_dump_json())
    response.del_cookie(SESSION_COOKIE, path="/")
    return response


@api.route(
    "POST",
    "/auth/logout",
    summary="Sign out (revoke this token)",
    roles=EVERYONE,
    response=SignedOut,
)
async def logout(call: Call[None]) -> SignedOut:
    token = bearer_token(call.request) or cookie_token(call.request)
    assert token is not None
    await auth.revoke_token(call.session, token)
    return SignedOut()


@api.route(
    "GET",
    "/auth/me",
    summary="The signed-in user (and the CSRF token of a browser)",
    roles=EVERYONE,
    response=MeOut,
)
async def me(call: Call[None]) -> MeOut:
    token = None if bearer_token(call.request) else cookie_token(call.request)
    return MeOut(
        **UserOut.of(call.user).model_dump(), csrf_token=csrf_token(token) if token else None
    )


@api.route("GET", "/users", summary="List users", roles=ADMINS, response=list[UserOut])
async def list_users(call: Call[None]) -> list[UserOut]:
    return [UserOut.of(user) for user in await auth.list_users(call.session)]


@api.route(
    "POST",
    "/users",
    summary="Create a user",
    roles=ADMINS,
    body=CreateUserIn,
    response=UserOut,
    status=201,
    idempotent=True,
)
async def create_user(call: Call[CreateUserIn]) -> UserOut:
    user = await auth.create_user(
        call.session,
        auth.actor_of(call.user),
        username=call.body.username,
        full_name=call.body.full_name,
        roles=call.body.roles,
        password=call.body.password,
    )
    return UserOut.of(user)

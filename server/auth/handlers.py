"""Sign-in, sign-out and user administration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web

from server.auth import accounts
from server.auth import service as auth
from server.auth.browser import SESSION_COOKIE, csrf_token
from server.auth.cookies import browser_uses_https
from server.auth.exceptions import PasswordChangeRequired, PasswordRejected
from server.auth.models import User
from server.auth.password_rules import check_new_password
from server.auth.passwords import NewPassword
from server.auth.roles import ADMINS, EVERYONE
from server.auth.schemas import (
    AccountOut,
    BrowserSessionOut,
    Capabilities,
    ChangePasswordIn,
    CreateUserIn,
    LoginIn,
    LoginOut,
    MeOut,
    PasswordChanged,
    SignedOut,
    UserOut,
)
from server.auth.service import PasswordCheck
from server.web.api import Api, Call, Preparation, bearer_token, cookie_token
from server.web.password_checks import gated_check

api = Api("auth")


async def _checked(prep: Preparation[Any], username: str, password: str) -> PasswordCheck:
    """The password verified at the sign-in gate with no connection held; a wrong one is
    counted toward lock-out in a transaction of its own and refused."""
    check = await gated_check(prep.request, username, password)
    if not check.matched:
        async with prep.database.sessions()() as session, session.begin():
            _, error = await auth.apply_login_check(session, prep.settings, username, check)
        if error is not None:
            raise error
    return check


async def _password_checked(prep: Preparation[LoginIn]) -> PasswordCheck:
    return await _checked(prep, prep.body.username, prep.body.password)


async def _sign_in(call: Call[LoginIn], *, kind: str) -> tuple[User, str, datetime]:
    check = call.prepared_as(PasswordCheck)
    outcome = await auth.attempt_login(
        call.session, call.settings, call.body.username, check, kind=kind
    )
    return outcome.accepted()


def _https(call: Call[object]) -> bool:
    """Whether the browser used HTTPS (to us or to a trusted proxy): the cookie is Secure."""
    request = call.request
    return browser_uses_https(
        call.settings,
        tls=request.secure,
        peer=request.remote,
        forwarded_proto=request.headers.get("X-Forwarded-Proto"),
    )


@api.route(
    "POST",
    "/auth/login",
    summary="Sign in and receive a bearer token",
    roles=None,
    body=LoginIn,
    response=LoginOut,
    prepare=_password_checked,
)
async def login(call: Call[LoginIn]) -> LoginOut:
    user, token, expires_at = await _sign_in(call, kind="bearer")
    return LoginOut(token=token, expires_at=expires_at, user=UserOut.of(user))


@api.route(
    "POST",
    "/auth/session",
    summary="Browser sign-in: sets an HttpOnly session cookie",
    roles=None,
    body=LoginIn,
    response=BrowserSessionOut,
    prepare=_password_checked,
)
async def open_browser_session(call: Call[LoginIn]) -> web.Response:
    user, token, expires_at = await _sign_in(call, kind="cookie")
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
        secure=_https(call),
        max_age=int(call.settings.token_lifetime.total_seconds()),
    )
    return response


@api.route(
    "DELETE",
    "/auth/session",
    summary="Browser sign-out",
    roles=EVERYONE,
    response=SignedOut,
)
async def close_browser_session(call: Call[None]) -> web.Response:
    token = cookie_token(call.request)
    if token is not None:
        await auth.revoke_token(call.session, token)
    response = web.json_response(text=SignedOut().model_dump_json())
    response.del_cookie(SESSION_COOKIE, path="/", secure=_https(call))
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
    summary="The signed-in user, what they may do (and the CSRF token of a browser)",
    roles=EVERYONE,
    response=MeOut,
)
async def me(call: Call[None]) -> MeOut:
    token = None if bearer_token(call.request) else cookie_token(call.request)
    return MeOut(
        **UserOut.of(call.user).model_dump(),
        csrf_token=csrf_token(token) if token else None,
        can=Capabilities.of(call.user),
    )


@dataclass(frozen=True)
class _PasswordChange:
    current: PasswordCheck
    new: NewPassword


async def _password_change_checked(prep: Preparation[ChangePasswordIn]) -> _PasswordChange:
    body = prep.body
    check_new_password(
        prep.settings, body.new_password, username=body.username, field="new_password"
    )
    if body.new_password == body.current_password:
        raise PasswordRejected("new_password", "must differ from the current password")
    current = await _checked(prep, body.username, body.current_password)
    return _PasswordChange(current, await NewPassword.of(body.new_password))


@api.route(
    "POST",
    "/auth/password",
    summary="Change your password (also the forced change after an administrator's reset)",
    roles=None,
    body=ChangePasswordIn,
    response=PasswordChanged,
    prepare=_password_change_checked,
)
async def change_password(call: Call[ChangePasswordIn]) -> PasswordChanged:
    """Public, since a user whose password was reset has no session: the current password is
    the credential, checked and counted toward lock-out like a sign-in."""
    change = call.prepared_as(_PasswordChange)
    user, error = await auth.apply_login_check(
        call.session, call.settings, call.body.username, change.current
    )
    if error is not None and not isinstance(error, PasswordChangeRequired):
        raise error
    assert user is not None
    await accounts.change_own_password(call.session, user, change.new)
    return PasswordChanged()


@api.route("GET", "/users", summary="List users", roles=ADMINS, response=list[AccountOut])
async def list_users(call: Call[None]) -> list[AccountOut]:
    return [AccountOut.of(user) for user in await auth.list_users(call.session)]


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
    check_new_password(call.settings, call.body.password, username=call.body.username)
    user = await auth.create_user(
        call.session,
        auth.actor_of(call.user),
        username=call.body.username,
        full_name=call.body.full_name,
        roles=call.body.roles,
        password=call.body.password,
    )
    return UserOut.of(user)

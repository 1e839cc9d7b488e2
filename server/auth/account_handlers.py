"""Account controls for administrators (§11.300): each names the user by id, says why, and
answers with the account as it now is."""

from __future__ import annotations

from typing import Any

from server.auth import accounts
from server.auth import service as auth
from server.auth.models import User
from server.auth.passwords import NewPassword
from server.auth.roles import ADMINS
from server.auth.schemas import (
    AccountOut,
    ReasonIn,
    RolesIn,
    SessionsRevokedOut,
    TemporaryPasswordOut,
)
from server.web.api import Api, Call, Preparation

api = Api("users")


async def _target(call: Call[Any]) -> User:
    return await accounts.user_by_id(call.session, call.param("user_id"))


@api.route(
    "GET", "/users/{user_id}", summary="One user's account", roles=ADMINS, response=AccountOut
)
async def show_user(call: Call[None]) -> AccountOut:
    return AccountOut.of(await _target(call))


@api.route(
    "POST",
    "/users/{user_id}/deactivate",
    summary="Deactivate a user: no sign-in, no signing; their sessions end",
    roles=ADMINS,
    body=ReasonIn,
    response=AccountOut,
)
async def deactivate_user(call: Call[ReasonIn]) -> AccountOut:
    target = await _target(call)
    await accounts.deactivate(
        call.session, auth.actor_of(call.user), call.user, target, call.body.reason
    )
    return AccountOut.of(target)


@api.route(
    "POST",
    "/users/{user_id}/activate",
    summary="Reactivate a deactivated user",
    roles=ADMINS,
    body=ReasonIn,
    response=AccountOut,
)
async def activate_user(call: Call[ReasonIn]) -> AccountOut:
    target = await _target(call)
    await accounts.activate(call.session, auth.actor_of(call.user), target, call.body.reason)
    return AccountOut.of(target)


@api.route(
    "POST",
    "/users/{user_id}/unlock",
    summary="Lift a lock-out after failed sign-ins",
    roles=ADMINS,
    body=ReasonIn,
    response=AccountOut,
)
async def unlock_user(call: Call[ReasonIn]) -> AccountOut:
    target = await _target(call)
    await accounts.unlock(call.session, auth.actor_of(call.user), target, call.body.reason)
    return AccountOut.of(target)


async def _temporary_password(_prep: Preparation[ReasonIn]) -> NewPassword:
    return await NewPassword.temporary()


@api.route(
    "POST",
    "/users/{user_id}/reset-password",
    summary="Reset a password: a temporary one, to be changed at next sign-in",
    roles=ADMINS,
    body=ReasonIn,
    response=TemporaryPasswordOut,
    prepare=_temporary_password,
)
async def reset_password(call: Call[ReasonIn]) -> TemporaryPasswordOut:
    target = await _target(call)
    temporary = call.prepared_as(NewPassword)
    await accounts.reset_password(
        call.session, auth.actor_of(call.user), target, call.body.reason, temporary
    )
    return TemporaryPasswordOut(user=AccountOut.of(target), temporary_password=temporary.text)


@api.route(
    "PUT",
    "/users/{user_id}/roles",
    summary="Replace a user's roles",
    roles=ADMINS,
    body=RolesIn,
    response=AccountOut,
)
async def set_roles(call: Call[RolesIn]) -> AccountOut:
    target = await _target(call)
    await accounts.set_roles(
        call.session,
        auth.actor_of(call.user),
        call.user,
        target,
        call.body.roles,
        call.body.reason,
    )
    return AccountOut.of(target)


@api.route(
    "POST",
    "/users/{user_id}/revoke-sessions",
    summary="End every session of a user (open WebSockets close within seconds)",
    roles=ADMINS,
    body=ReasonIn,
    response=SessionsRevokedOut,
)
async def revoke_sessions(call: Call[ReasonIn]) -> SessionsRevokedOut:
    target = await _target(call)
    revoked = await accounts.revoke_all_sessions(
        call.session, auth.actor_of(call.user), target, call.body.reason
    )
    return SessionsRevokedOut(user=AccountOut.of(target), sessions_revoked=revoked)

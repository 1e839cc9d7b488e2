"""Account controls of 21 CFR Part 11 §11.300: deactivate, reactivate, unlock, reset a
password (forcing a change at next sign-in), change roles, revoke sessions, and a user changing
their own password. Each is audited with who, what, old and new, and why.

`by` is the administrator acting (None from the command line, whose actor is given instead);
an administrator cannot deactivate themselves or take away their own admin role, so a site
keeps an administrator who can undo a mistake.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.auth import service as auth
from server.auth.exceptions import OwnAccountProtected, UnknownRole, UserNotFound
from server.auth.models import User
from server.auth.passwords import NewPassword
from server.auth.roles import ADMINS, ROLES
from server.clock import isoformat


async def user_by_id(session: AsyncSession, user_id: str) -> User:
    """A user by id, or UserNotFound."""
    user = await session.get(User, user_id)
    if user is None:
        raise UserNotFound(user_id)
    return user


async def user_by_name(session: AsyncSession, username: str) -> User:
    """A user by username, or UserNotFound."""
    user = await auth.get_user(session, username)
    if user is None:
        raise UserNotFound(username)
    return user


def _protect_own(by: User | None, target: User, action: str) -> None:
    if by is not None and by.id == target.id:
        raise OwnAccountProtected(action)


async def _record(
    session: AsyncSession,
    actor: audit.Actor,
    action: str,
    target: User,
    *,
    old: object,
    new: object,
    reason: str,
) -> None:
    await audit.record(session, actor, action, "user", target.id, old=old, new=new, reason=reason)


async def deactivate(
    session: AsyncSession, actor: audit.Actor, by: User | None, target: User, reason: str
) -> None:
    """The user can no longer sign in or sign; their sessions end (WebSockets close too)."""
    _protect_own(by, target, "deactivate")
    old = target.active
    target.active = False
    revoked = await auth.revoke_sessions(session, target.id)
    await _record(
        session,
        actor,
        "user.deactivated",
        target,
        old={"active": old},
        new={"active": False, "sessions_revoked": revoked},
        reason=reason,
    )


async def activate(session: AsyncSession, actor: audit.Actor, target: User, reason: str) -> None:
    """A deactivated user may sign in again (with the password they had)."""
    old = target.active
    target.active = True
    await _record(
        session,
        actor,
        "user.activated",
        target,
        old={"active": old},
        new={"active": True},
        reason=reason,
    )


async def unlock(session: AsyncSession, actor: audit.Actor, target: User, reason: str) -> None:
    """Lift a lock-out after failed sign-ins before it runs out."""
    locked_until = target.locked_until and isoformat(target.locked_until)
    old = {"locked_until": locked_until, "failed_logins": target.failed_logins}
    target.locked_until = None
    target.failed_logins = 0
    await _record(
        session,
        actor,
        "user.unlocked",
        target,
        old=old,
        new={"locked_until": None, "failed_logins": 0},
        reason=reason,
    )


async def reset_password(
    session: AsyncSession,
    actor: audit.Actor,
    target: User,
    reason: str,
    temporary: NewPassword,
) -> None:
    """Set a temporary password (handed over once, never stored or audited) that only lets
    its owner choose a new one; every session of the user ends."""
    target.password_hash = temporary.hash
    target.must_change_password = True
    target.locked_until = None
    target.failed_logins = 0
    revoked = await auth.revoke_sessions(session, target.id)
    await _record(
        session,
        actor,
        "user.password_reset",
        target,
        old=None,
        new={"must_change_password": True, "sessions_revoked": revoked},
        reason=reason,
    )


async def set_roles(
    session: AsyncSession,
    actor: audit.Actor,
    by: User | None,
    target: User,
    roles: list[str],
    reason: str,
) -> None:
    """Replace the user's roles (effective on their next request)."""
    for role in roles:
        if role not in ROLES:
            raise UnknownRole(role)
    new = sorted(set(roles))
    if target.has_any_role(ADMINS) and not ADMINS & set(new):
        _protect_own(by, target, "remove the admin role from")
    old = list(target.roles)
    target.roles = new
    await _record(
        session,
        actor,
        "user.roles_changed",
        target,
        old={"roles": old},
        new={"roles": new},
        reason=reason,
    )


async def revoke_all_sessions(
    session: AsyncSession, actor: audit.Actor, target: User, reason: str
) -> int:
    """End every session of the user (a lost headset, a shared password)."""
    revoked = await auth.revoke_sessions(session, target.id)
    await _record(
        session,
        actor,
        "user.sessions_revoked",
        target,
        old=None,
        new={"sessions_revoked": revoked},
        reason=reason,
    )
    return revoked


async def change_own_password(session: AsyncSession, user: User, new: NewPassword) -> None:
    """Set a user's new password (the current one was verified and the new one follows the
    rules): a forced change is done, and every session of the user ends, so that they sign in
    with the new one."""
    forced = user.must_change_password
    user.password_hash = new.hash
    user.must_change_password = False
    revoked = await auth.revoke_sessions(session, user.id)
    await _record(
        session,
        auth.actor_of(user),
        "user.password_changed",
        user,
        old={"must_change_password": forced},
        new={"must_change_password": False, "sessions_revoked": revoked},
        reason="changed by the user" + (" after a reset" if forced else ""),
    )

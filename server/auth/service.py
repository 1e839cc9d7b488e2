"""Users, sign-in with lock-out, bearer tokens and signature re-authentication."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.audit import service as audit
from server.auth.exceptions import (
    AccountLocked,
    InvalidCredentials,
    NotAuthenticated,
    PasswordChangeRequired,
    SignatureRejected,
    SigningSessionNotOpen,
    UnknownRole,
    UsernameTaken,
)
from server.auth.models import AuthToken, User
from server.auth.passwords import hash_password, verify_password
from server.auth.roles import ROLES
from server.clock import isoformat, utcnow
from server.config import Settings

# Security alerts an administrator must see: a log line beside the audit entry.
alerts = logging.getLogger("stepwise.security")
LoginRefusal = InvalidCredentials | AccountLocked | PasswordChangeRequired


def actor_of(user: User) -> audit.Actor:
    """The audit actor for a user."""
    return audit.Actor.user(user.id, user.username, user.full_name)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


# Every request runs it: built once, not per call.
_LIVE_TOKEN_OWNER = (
    select(User)
    .join(AuthToken, AuthToken.user_id == User.id)
    .where(
        AuthToken.token_hash == bindparam("token_hash"),
        AuthToken.revoked_at.is_(None),
        AuthToken.expires_at > bindparam("now"),
        User.active.is_(True),
        User.must_change_password.is_(False),
    )
)


async def create_user(
    session: AsyncSession,
    actor: audit.Actor,
    *,
    username: str,
    full_name: str,
    roles: list[str],
    password: str,
) -> User:
    """Register a user (audited; the password itself is never stored or logged)."""
    for role in roles:
        if role not in ROLES:
            raise UnknownRole(role)
    if await session.scalar(select(User.id).where(User.username == username)):
        raise UsernameTaken(username)
    user = User(
        username=username,
        full_name=full_name,
        roles=sorted(set(roles)),
        password_hash=await hash_password(password),
        active=True,
        failed_logins=0,
        created_at=utcnow(),
    )
    session.add(user)
    await session.flush()
    await audit.record(
        session,
        actor,
        "user.created",
        "user",
        user.id,
        new={"username": username, "full_name": full_name, "roles": user.roles},
    )
    return user


@dataclass(frozen=True)
class LoginOutcome:
    """The result of a sign-in attempt; failures are committed before they are raised."""

    user: User | None
    token: str | None = None
    expires_at: datetime | None = None
    error: LoginRefusal | None = None

    def accepted(self) -> tuple[User, str, datetime]:
        """The user, token and its expiry, or raise the failure."""
        if self.error is not None:
            raise self.error
        assert self.user is not None and self.token is not None and self.expires_at is not None
        return self.user, self.token, self.expires_at


@dataclass(frozen=True)
class PasswordCheck:
    """A password verified against the hash stored for a username when it was read."""

    checked_hash: str | None
    matched: bool

    @classmethod
    async def of(cls, stored_hash: str | None, password: str) -> PasswordCheck:
        """Verify `password` against `stored_hash` (Argon2id, in a worker thread)."""
        return cls(stored_hash, await verify_password(stored_hash, password))

    def holds_for(self, user: User | None) -> bool:
        """Whether it matched and still applies: the hash was not changed since."""
        return (
            self.matched
            and user is not None
            and user.active
            and user.password_hash == self.checked_hash
        )


async def check_password(
    sessions: async_sessionmaker[AsyncSession], username: str, password: str
) -> PasswordCheck:
    """Read the stored hash in a short session, then verify with no connection held.

    Argon2 takes tens of milliseconds by design: a crowd signing in at once (a shift
    change) must queue for the CPU, not hold the database pool while it waits.
    """
    async with sessions() as session:
        stored = await session.scalar(select(User.password_hash).where(User.username == username))
    return await PasswordCheck.of(stored, password)


def _locked(user: User | None) -> AccountLocked | None:
    if user is not None and user.locked_until is not None and user.locked_until > utcnow():
        return AccountLocked(user.locked_until)
    return None


async def _apply_check(
    session: AsyncSession, settings: Settings, user: User | None, check: PasswordCheck
) -> LoginRefusal | None:
    """Apply a sign-in's password check, counting failures toward lock-out (audited)."""
    now = utcnow()
    if (locked := _locked(user)) is not None:
        return locked
    if check.holds_for(user):
        assert user is not None
        user.failed_logins = 0
        user.locked_until = None
        return PasswordChangeRequired() if user.must_change_password else None
    if user is None:
        return InvalidCredentials()
    user.failed_logins += 1
    if user.failed_logins >= settings.max_failed_logins:
        user.locked_until = now + settings.lockout
        user.failed_logins = 0
        await audit.record(
            session,
            audit.SYSTEM,
            "user.locked",
            "user",
            user.id,
            new={"locked_until": isoformat(user.locked_until)},
            reason=f"{settings.max_failed_logins} failed password entries",
        )
        return AccountLocked(user.locked_until)
    return InvalidCredentials()


async def apply_login_check(
    session: AsyncSession, settings: Settings, username: str, check: PasswordCheck
) -> tuple[User | None, LoginRefusal | None]:
    """The user a sign-in names and why it fails, if it does (a failure is counted toward
    lock-out: commit it before raising the error)."""
    user = await session.scalar(select(User).where(User.username == username))
    return user, await _apply_check(session, settings, user, check)


async def attempt_login(
    session: AsyncSession, settings: Settings, username: str, check: PasswordCheck, *, kind: str
) -> LoginOutcome:
    """Apply a password check and issue a token of `kind` ("bearer" or "cookie")."""
    user, error = await apply_login_check(session, settings, username, check)
    if error is not None:
        return LoginOutcome(user=None, error=error)
    assert user is not None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + settings.token_lifetime
    session.add(
        AuthToken(
            token_hash=_token_hash(token),
            user_id=user.id,
            kind=kind,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return LoginOutcome(user=user, token=token, expires_at=expires_at)


async def user_for_token(session: AsyncSession, token: str) -> User:
    """The user a live token belongs to."""
    user = await session.scalar(
        _LIVE_TOKEN_OWNER, {"token_hash": _token_hash(token), "now": utcnow()}
    )
    if user is None:
        raise NotAuthenticated("Unknown or expired session token; sign in again.")
    return user


async def session_is_live(session: AsyncSession, token: str) -> bool:
    """Whether a token still signs its user in: not revoked, not expired, user active."""
    owner = await session.scalar(
        _LIVE_TOKEN_OWNER, {"token_hash": _token_hash(token), "now": utcnow()}
    )
    return owner is not None


async def revoke_token(session: AsyncSession, token: str) -> None:
    """Sign out: the token stops working at once."""
    stored = await session.get(AuthToken, _token_hash(token))
    if stored is not None and stored.revoked_at is None:
        stored.revoked_at = utcnow()


async def count_failed_signature(
    session: AsyncSession, settings: Settings, token: str, signer_name: str
) -> None:
    """Count a wrong e-signature password against the signed-in session that sent it.

    Not against the signer it names: anyone could then lock a colleague out by signing with
    their username and wrong passwords. After `max_failed_signatures` the session is locked
    (revoked: its user signs in again, which counts per account), audited and alerted."""
    stored = await session.get(AuthToken, _token_hash(token))
    if stored is None or stored.revoked_at is not None:
        return
    stored.failed_signatures += 1
    if stored.failed_signatures < settings.max_failed_signatures:
        return
    stored.revoked_at = utcnow()
    owner = await session.get(User, stored.user_id)
    assert owner is not None
    reason = (
        f"{stored.failed_signatures} wrong e-signature passwords in one session "
        f"(the last for {signer_name!r})"
    )
    await audit.record(
        session,
        audit.SYSTEM,
        "session.locked",
        "user",
        owner.id,
        new={"session": stored.kind, "failed_signatures": stored.failed_signatures},
        reason=reason,
    )
    alerts.warning("ALERT session of %s locked: %s", owner.username, reason)


async def reauthenticate(
    session: AsyncSession,
    settings: Settings,
    username: str,
    password: str,
    check: PasswordCheck | None = None,
) -> User:
    """Re-check a signer's password for an e-signature (§11.200: every signing). `check`:
    the password verified before the transaction (it holds only if the stored hash is still
    the one it was verified against); without it, it is verified here. A signer who is
    locked, inactive or must change a reset password cannot sign; a failure is counted
    against the signing session (count_failed_signature), never against the signer."""
    user = await session.scalar(select(User).where(User.username == username))
    if check is None:
        check = await PasswordCheck.of(user.password_hash if user else None, password)
    if _locked(user) is not None or not check.holds_for(user):
        raise SignatureRejected(username)
    assert user is not None
    if user.must_change_password:
        raise SignatureRejected(username)
    return user


async def signing_session(
    session: AsyncSession, settings: Settings, token: str | None, *, named: bool
) -> AuthToken | None:
    """The signed-in session a signature is given in, which must be open for a signature that
    gives only the password (§11.200(a)(1)): it signed before, and less than
    `settings.signing_idle` ago. A signature `named` (with its username) opens it. None: no
    signed-in session (a signature given by the server itself, such as the demo's)."""
    stored = await session.get(AuthToken, _token_hash(token)) if token else None
    if named:
        return stored
    last = stored.last_signed_at if stored else None
    if last is None or utcnow() - last > settings.signing_idle:
        raise SigningSessionNotOpen(settings.signing_idle.total_seconds() / 60)
    return stored


def signed_in_session(stored: AuthToken | None, signer: User) -> None:
    """A signature was given in `stored`: its signing session goes on. A colleague signing on
    someone else's device (a verifier) neither opens nor prolongs that person's session."""
    if stored is not None and stored.user_id == signer.id:
        stored.last_signed_at = utcnow()


async def revoke_sessions(session: AsyncSession, user_id: str) -> int:
    """Revoke every live token of a user (their WebSockets close within seconds)."""
    result = await session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def users_by_id(session: AsyncSession, user_ids: Iterable[str | None]) -> dict[str, User]:
    """The users with these ids (None and repeats ignored), by id, read in one query."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    return {
        user.id: user for user in await session.scalars(select(User).where(User.id.in_(wanted)))
    }


async def get_user(session: AsyncSession, username: str) -> User | None:
    """A user by username."""
    return await session.scalar(select(User).where(User.username == username))


async def user_id_of(session: AsyncSession, reference: str) -> str | None:
    """The id of the user with this username or id (a list filter naming a person)."""
    return await session.scalar(
        select(User.id).where(or_(User.username == reference, User.id == reference))
    )


async def list_users(session: AsyncSession) -> list[User]:
    """Every user, by username."""
    return list((await session.scalars(select(User).order_by(User.username))).all())

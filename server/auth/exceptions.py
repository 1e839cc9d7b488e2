"""Authentication and authorisation failures.

StepwiseError
 ├── Invalid
 │    ├── InvalidCredentials      wrong username or password at sign-in
 │    ├── SignatureRejected        wrong password (or unknown signer) for an e-signature
 │    ├── SigningSessionNotOpen    a signature with no username opening a signing session
 │    ├── UnknownRole              a role that is not one of the contract's five
 │    └── PasswordRejected         a new password that breaks the password rules
 ├── Forbidden
 │    ├── AccountLocked            too many failed sign-ins; locked until a time
 │    ├── PasswordChangeRequired   right password, but an admin reset it: change it first
 │    ├── RoleNotPermitted         signed in, but no role allows this
 │    ├── CsrfRejected             a browser write without its CSRF token, or cross-origin
 │    └── OwnAccountProtected      an admin deactivating or demoting themselves
 ├── NotFound
 │    └── UserNotFound
 └── Conflict
      └── UsernameTaken
Missing or expired tokens are `NotAuthenticated` (HTTP 401), outside the tree above.
"""

from __future__ import annotations

from datetime import datetime

from server.clock import isoformat
from server.errors import Conflict, Forbidden, Invalid, NotFound, Problem, StepwiseError


class NotAuthenticated(StepwiseError):
    """No valid session: the token is missing, unknown, revoked or expired."""


class InvalidCredentials(Invalid):
    def __init__(self) -> None:
        super().__init__("Unknown username or wrong password.")


class SignatureRejected(Invalid):
    def __init__(self, username: str) -> None:
        super().__init__(
            f"The signature of {username!r} was refused: wrong password, or the account "
            "is locked or inactive.",
            problems=[Problem("signature.password", "re-enter your password")],
        )


class SigningSessionNotOpen(Invalid):
    """21 CFR 11.200(a)(1): the first signing of a continuous session uses every component."""

    def __init__(self, idle_minutes: float) -> None:
        super().__init__(
            "Enter your username and password: the first e-signature of a signing session, "
            f"or the first after {idle_minutes:g} minutes without signing, needs both; later "
            "ones need only the password.",
            problems=[
                Problem(
                    "signature.username",
                    "username and password are needed to open a signing session",
                    code="signing_session_closed",
                )
            ],
        )


class UnknownRole(Invalid):
    def __init__(self, role: str) -> None:
        super().__init__(f"Unknown role {role!r}.", problems=[Problem("roles", role)])


class AccountLocked(Forbidden):
    def __init__(self, until: datetime) -> None:
        super().__init__(f"Account locked after repeated failed sign-ins until {isoformat(until)}.")
        self.until = until


class RoleNotPermitted(Forbidden):
    def __init__(self, action: str, allowed: frozenset[str] | list[str]) -> None:
        super().__init__(f"{action} requires one of the roles: {', '.join(sorted(allowed))}.")


class CsrfRejected(Forbidden):
    def __init__(self, why: str) -> None:
        super().__init__(f"Browser request refused: {why}.")


class UsernameTaken(Conflict):
    def __init__(self, username: str) -> None:
        super().__init__(f"Username {username!r} is already taken.")


class PasswordRejected(Invalid):
    def __init__(self, field: str, why: str) -> None:
        super().__init__(f"The new password is refused: {why}.", problems=[Problem(field, why)])


class PasswordChangeRequired(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "The password was reset by an administrator: change it before signing in "
            "(POST /api/v1/auth/password).",
            problems=[Problem("password", "change the password", code="password_change_required")],
        )


class OwnAccountProtected(Forbidden):
    def __init__(self, action: str) -> None:
        super().__init__(f"An administrator cannot {action} their own account; ask another.")


class UserNotFound(NotFound):
    def __init__(self, user: str) -> None:
        super().__init__(f"No user {user!r}.")

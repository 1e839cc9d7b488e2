"""The rules a new password must follow (§11.300: controls on identification codes and
passwords). Passwords set before a rule changed keep working; the rule applies when one is set."""

from __future__ import annotations

from server.auth.exceptions import PasswordRejected
from server.config import Settings

MAX_LENGTH = 1024  # Argon2 would take any length; a bound keeps hashing cheap


def check_new_password(
    settings: Settings, password: str, *, username: str, field: str = "password"
) -> None:
    """PasswordRejected (naming `field`) unless `password` may be set for `username`."""
    if len(password) < settings.password_min_length:
        raise PasswordRejected(
            field, f"must have at least {settings.password_min_length} characters"
        )
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(field, f"must have at most {MAX_LENGTH} characters")
    if password.lower() == username.lower():
        raise PasswordRejected(field, "must not be the username")

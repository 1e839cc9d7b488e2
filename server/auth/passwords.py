"""Argon2id password hashing, always off the event loop."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.concurrency import run_blocking

_HASHER = PasswordHasher()
TEMPORARY_PASSWORD_BYTES = 12  # 16 characters of URL-safe base64
# Verified when the username is unknown, so that both answers take as long.
_DUMMY_HASH = _HASHER.hash("stepwise-timing-equaliser")


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    """An Argon2id hash of `password`."""
    return await run_blocking(_HASHER.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; a missing hash still costs one verification."""
    return await run_blocking(_verify, password_hash or _DUMMY_HASH, password) and (
        password_hash is not None
    )


@dataclass(frozen=True)
class NewPassword:
    """A password about to be set, hashed before any transaction opens."""

    text: str = field(repr=False)
    hash: str = field(repr=False)

    @classmethod
    async def of(cls, text: str) -> NewPassword:
        return cls(text, await hash_password(text))

    @classmethod
    async def temporary(cls) -> NewPassword:
        """A random password for an administrator to hand over once."""
        return await cls.of(secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES))

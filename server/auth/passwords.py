"""Argon2id password hashing, always off the event loop.

New hashes use the argon2-cffi profile named by `STEPWISE_PASSWORD_PROFILE` (default RFC 9106's
low-memory one); a hash is always verified with the parameters it was made with, so changing
the profile never locks anyone out. The test suite uses CHEAPEST: a verification of the default
profile costs about 0.15 s of CPU, and the suite signs in thousands of times.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.concurrency import run_blocking
from server.config import DEFAULT_PASSWORD_PROFILE, PASSWORD_PROFILE_VARIABLE, PASSWORD_PROFILES


def hasher_from(environ: Mapping[str, str]) -> PasswordHasher:
    """The hasher of the profile `environ` names; an unknown name (which `settings_from_env`
    refuses when the server starts) gets the default."""
    name = environ.get(PASSWORD_PROFILE_VARIABLE, DEFAULT_PASSWORD_PROFILE)
    chosen = name if name in PASSWORD_PROFILES else DEFAULT_PASSWORD_PROFILE
    return PasswordHasher.from_parameters(getattr(profiles, chosen))


_HASHER = hasher_from(os.environ)
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

"""Applying electronic signatures: re-authentication, meaning, and the hash of what is signed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, get_args

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.canonical import canonical_json, sha256_hex
from server.clock import isoformat, utcnow
from server.config import Settings
from server.errors import Invalid, Problem
from server.signatures.models import Signature

Meaning = Literal["performed", "verified", "reviewed", "approved", "released"]
MEANINGS: frozenset[str] = frozenset(get_args(Meaning))


@dataclass(frozen=True)
class SignatureRequest:
    """What a client sends: who signs (default: the signed-in user), password, meaning; and
    the password's check if it was verified before the transaction."""

    password: str
    meaning: str
    username: str | None = None
    check: auth.PasswordCheck | None = None


class WrongMeaning(Invalid):
    """The signature's meaning is not the one this act needs."""

    def __init__(self, expected: str, given: str) -> None:
        super().__init__(
            f"This signature must have the meaning {expected!r}, not {given!r}.",
            problems=[Problem("signature.meaning", f"expected {expected!r}")],
        )


class SignatureRequired(Invalid):
    """An act that needs an e-signature was submitted without one."""

    def __init__(self, meaning: str) -> None:
        super().__init__(
            f"An electronic signature with the meaning {meaning!r} is required.",
            problems=[Problem("signature", f"sign with meaning {meaning!r}")],
        )


async def authenticate_signer(
    session: AsyncSession,
    settings: Settings,
    request: SignatureRequest | None,
    *,
    meaning: str,
    current_user: User,
) -> User:
    """Check that a signature is present, has `meaning` and its password is right."""
    if request is None:
        raise SignatureRequired(meaning)
    if request.meaning != meaning:
        raise WrongMeaning(meaning, request.meaning)
    username = request.username or current_user.username
    return await auth.reauthenticate(session, settings, username, request.password, request.check)


async def apply(
    session: AsyncSession,
    signer: User,
    meaning: str,
    content: dict[str, Any],
    *,
    batch_id: str | None = None,
    step_record_id: str | None = None,
    procedure_version_id: str | None = None,
) -> Signature:
    """Record a signature bound to the SHA-256 of `content` (audited)."""
    signed_at = utcnow()
    content_hash = sha256_hex(canonical_json(content))
    signature = Signature(
        user_id=signer.id,
        username=signer.username,
        full_name=signer.full_name,
        meaning=meaning,
        signed_at=signed_at,
        content_hash=content_hash,
        batch_id=batch_id,
        step_record_id=step_record_id,
        procedure_version_id=procedure_version_id,
    )
    session.add(signature)
    await session.flush()
    await audit.record(
        session,
        auth.actor_of(signer),
        "signature.applied",
        "signature",
        signature.id,
        new={
            "meaning": meaning,
            "signer": signer.full_name,
            "signed_at": isoformat(signed_at),
            "content_hash": content_hash,
        },
        batch_id=batch_id,
    )
    return signature

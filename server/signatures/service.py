"""Applying electronic signatures: the one signing rule (re-authentication, meaning, the
signer's authority for the act) and the hash of what is signed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.canonical import canonical_json, sha256_hex
from server.clock import isoformat, utcnow
from server.config import Settings
from server.errors import Forbidden, Invalid, Problem, Refusal, StepwiseError
from server.signatures.models import Signature

Meaning = Literal[
    "performed", "verified", "reviewed", "approved", "released", "rejected", "corrected"
]
MEANINGS: frozenset[str] = frozenset(get_args(Meaning))


@dataclass(frozen=True)
class SignatureRequest:
    """What a client sends: who signs (default: the signed-in user), password, meaning; the
    password's check if it was verified before the transaction; and the token of the
    signed-in session it was sent in (its signing session; None when the server signs)."""

    password: str
    meaning: str
    username: str | None = None
    check: auth.PasswordCheck | None = None
    session_token: str | None = None


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


@dataclass(frozen=True)
class Authority:
    """Who may sign for an act: the act, as people read it, the roles that may sign it, and
    the segregation of duties it needs (raises for a signer who may not sign it, such as the
    performer of what is verified or the author of what is approved)."""

    act: str
    roles: frozenset[str]
    segregation: Callable[[User], None] | None = None


@dataclass(frozen=True)
class Subject:
    """What a signature is given on, for the audit entry of a refused signature."""

    entity_type: str
    entity_id: str
    batch_id: str | None = None


class SignerNotAuthorised(Forbidden):
    """The signer holds none of the roles with authority for the act signed."""

    def __init__(self, signer: User, authority: Authority) -> None:
        roles = ", ".join(sorted(authority.roles))
        super().__init__(
            f"{signer.username!r} may not sign for {authority.act}: "
            f"it needs one of the roles {roles}.",
            problems=[Problem("signature.username", f"the signer needs one of the roles {roles}")],
        )


async def authenticate_signer(
    session: AsyncSession,
    settings: Settings,
    request: SignatureRequest | None,
    *,
    meaning: str,
    current_user: User,
    authority: Authority,
    subject: Subject,
) -> User:
    """The signing rule every e-signed act goes through: a signature is present, has
    `meaning`, names its signer when it opens a signing session (§11.200(a)(1): the first of a
    session, or the first after `settings.signing_idle`), its password is right (§11.200) and
    its signer holds a role with `authority` for the act (§11.10(g)). A refusal is audited on
    `subject`, naming both the signed-in user and the signer."""
    username = (request.username if request else None) or current_user.username
    try:
        if request is None:
            raise SignatureRequired(meaning)
        if request.meaning != meaning:
            raise WrongMeaning(meaning, request.meaning)
        signing = await auth.signing_session(
            session, settings, request.session_token, named=request.username is not None
        )
        signer = await auth.reauthenticate(
            session, settings, username, request.password, request.check
        )
        if authority.segregation is not None:
            authority.segregation(signer)
        if not signer.has_any_role(authority.roles):
            raise SignerNotAuthorised(signer, authority)
        auth.signed_in_session(signing, signer)
    except StepwiseError as exc:
        refusal = _refusal(current_user, username, meaning, authority, subject)
        raise exc.with_refusal(refusal) from exc
    return signer


def _refusal(
    current_user: User, signer: str, meaning: str, authority: Authority, subject: Subject
) -> Refusal:
    return Refusal(
        current_user.id,
        auth.actor_of(current_user).label,
        f"{subject.entity_type}.signature_refused",
        subject.entity_type,
        subject.entity_id,
        subject.batch_id,
        {"act": authority.act, "meaning": meaning, "signed_by": signer},
    )


def signed_by(signer: User) -> str:
    """How an audit entry whose actor is the signed-in user names the signer."""
    return auth.actor_of(signer).label


async def apply(
    session: AsyncSession,
    signer: User,
    meaning: str,
    content: dict[str, Any],
    *,
    batch_id: str | None = None,
    step_record_id: str | None = None,
    procedure_version_id: str | None = None,
    signed_in: User | None = None,
) -> Signature:
    """Record a signature bound to the SHA-256 of `content`, audited as an act of the
    `signed_in` user (default: the signer) that names the signer."""
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
        auth.actor_of(signed_in or signer),
        "signature.applied",
        "signature",
        signature.id,
        new={
            "meaning": meaning,
            "signer": signer.full_name,
            "signed_by": signed_by(signer),
            "signer_id": signer.id,
            "signed_at": isoformat(signed_at),
            "content_hash": content_hash,
        },
        batch_id=batch_id,
    )
    return signature

"""E-signature passwords verified in the prepare phase, before the transaction opens.

Argon2 takes tens of milliseconds by design. Verified inside the step's transaction, it would
hold the batch row and a database connection (on SQLite: the one writer) all that time. So an
endpoint whose body carries signatures declares `prepare=verify_signatures`: each password is
checked with no connection held (taking turns with sign-ins at the gate), and the checks reach
the handler, which hands each to the services with its signature (the transaction only
applies it: the stored hash must still be the one verified). A wrong password is also counted
against the signed-in session that sent it (never the signer it names, whom anyone could
otherwise lock out) here, in a short transaction of its own: the refused request's
transaction, which refuses and audits it, is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pydantic import BaseModel

from server.auth import service as auth
from server.auth.models import User
from server.signatures.service import SignatureRequest
from server.web.api import Preparation, bearer_token, cookie_token
from server.web.password_checks import gated_check
from server.web.schemas import SignatureIn


def signatures_in(body: BaseModel) -> Iterator[SignatureIn]:
    """Every e-signature in a request body, however deep (a supervisor's override too)."""
    for value in body.__dict__.values():
        if isinstance(value, SignatureIn):
            yield value
        elif isinstance(value, BaseModel):
            yield from signatures_in(value)


@dataclass(frozen=True)
class VerifiedSignatures:
    """The password checks of one body's e-signatures, each beside its signature, and the
    token of the signed-in session they are sent in (their signing session)."""

    checks: tuple[tuple[SignatureIn, auth.PasswordCheck], ...]
    token: str | None = None

    def request(self, signature: SignatureIn | None) -> SignatureRequest | None:
        """The signature as the services take it, with its password already checked."""
        if signature is None:
            return None
        check = next((c for s, c in self.checks if s is signature), None)
        return SignatureRequest(
            signature.password, signature.meaning, signature.username, check, self.token
        )


async def verify_signatures(prep: Preparation[BaseModel]) -> VerifiedSignatures:
    """Verify the password of each signature in the body; count each wrong one against the
    signed-in session."""
    user = prep.user
    assert isinstance(user, User)
    token = bearer_token(prep.request) or cookie_token(prep.request)
    assert token is not None  # the user was authenticated by it
    checks = []
    for signature in signatures_in(prep.body):
        username = signature.username or user.username
        check = await gated_check(prep.request, username, signature.password)
        if not check.matched:
            async with prep.database.sessions()() as session, session.begin():
                await auth.count_failed_signature(session, prep.settings, token, username)
        checks.append((signature, check))
    return VerifiedSignatures(tuple(checks), token)

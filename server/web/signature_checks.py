"""E-signature passwords verified before the transaction opens.

Argon2 takes tens of milliseconds by design. Verified inside the step's transaction, it would
hold the batch row and a database connection (on SQLite: the one writer) all that time. So the
dispatcher parses a body that carries signatures first and verifies each password with no
connection held (taking turns with sign-ins at the gate); the check travels with the signature
and the transaction only applies it (the stored hash must still be the one verified). A wrong
password is also counted toward the signer's lock-out here, in a short transaction of its own:
the refused request's transaction, which refuses and audits it as before, is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator

from aiohttp import web
from pydantic import BaseModel

from server.auth import service as auth
from server.auth.models import User
from server.web.keys import DATABASE, SETTINGS
from server.web.password_checks import gated_check
from server.web.schemas import SignatureIn

MARKER = b'"signature"'  # bodies without it are not parsed twice


def signatures_in(body: BaseModel) -> Iterator[SignatureIn]:
    """Every e-signature in a request body, however deep (a supervisor's override too)."""
    for value in body.__dict__.values():
        if isinstance(value, SignatureIn):
            yield value
        elif isinstance(value, BaseModel):
            yield from signatures_in(value)


async def verify_early(request: web.Request, user: User, body: BaseModel) -> None:
    """Verify the password of each signature in `body`, keeping the checks on it; count
    each wrong one toward its signer's lock-out."""
    for signature in signatures_in(body):
        username = signature.username or user.username
        check = await gated_check(request, username, signature.password)
        if not check.matched:
            async with request.app[DATABASE].sessions()() as session, session.begin():
                await auth.signer(session, request.app[SETTINGS], username, check)
        signature.verified(check)

"""Browser sessions: an HttpOnly cookie carries the token, a CSRF token guards writes.

The CSRF token is derived from the session token, which page scripts cannot read
(HttpOnly); only a same-origin page can learn it, from `GET /auth/me` or the sign-in answer.
"""

from __future__ import annotations

import hashlib
import hmac

SESSION_COOKIE = "stepwise_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(session_token: str) -> str:
    """The CSRF token that belongs to a browser session."""
    return hashlib.sha256(f"stepwise-csrf:{session_token}".encode()).hexdigest()


def csrf_matches(session_token: str, presented: str | None) -> bool:
    """Whether a request presented the right CSRF token, compared in constant time."""
    return presented is not None and hmac.compare_digest(csrf_token(session_token), presented)

"""The sign-in gate: password checks (Argon2, deliberately slow) take turns on the CPU.

A shift of headsets signing in at once must not become a storm: each check costs tens of
milliseconds of CPU, a client that waits too long gives up and tries again, and every
abandoned check still running makes the next ones slower. So at most `concurrent` checks run
at a time, at most `waiting` more wait in line, and anyone beyond that is told at once to come
back (ServerBusy, a 503 with Retry-After) instead of joining a line it would time out in.
"""

from __future__ import annotations

from server.concurrency import BoundedLine


class SignInGate(BoundedLine):
    """Admits password checks: `concurrent` at a time, `waiting` more in line."""

"""The sign-in gate: password checks (Argon2, deliberately slow) take turns on the CPU.

A shift of headsets signing in at once must not become a storm: each check costs tens of
milliseconds of CPU, a client that waits too long gives up and tries again, and every
abandoned check still running makes the next ones slower. So at most `concurrent` checks run
at a time, at most `waiting` more wait in line, and anyone beyond that is told at once to come
back (ServerBusy, a 503 with Retry-After) instead of joining a line it would time out in.

The gate is per server process by nature: what it shares out is this process's threads and its
share of the CPU, not anything a record depends on. What a sign-in decides lives in the
database (failed attempts and lock-out on the user, the token issued), so any process may check
any sign-in. With `serve --workers N` on one machine, the N gates together admit up to N times
`concurrent` checks, which the operating system shares among the cores.
"""

from __future__ import annotations

from server.concurrency import BoundedLine


class SignInGate(BoundedLine):
    """Admits password checks: `concurrent` at a time, `waiting` more in line."""

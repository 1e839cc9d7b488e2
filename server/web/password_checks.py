"""A password checked for a request: at the sign-in gate, with no database connection held."""

from __future__ import annotations

from aiohttp import web

from server.auth import service as auth
from server.errors import ServerBusy
from server.web.keys import DATABASE, SIGN_IN_GATE


async def gated_check(request: web.Request, username: str, password: str) -> auth.PasswordCheck:
    """Wait for a turn at the gate (ServerBusy if its line is full), then verify; a client
    that gave up while in line costs nothing."""
    async with request.app[SIGN_IN_GATE].turn():
        if request.transport is None or request.transport.is_closing():
            raise ServerBusy()  # nobody is waiting for this answer any more
        return await auth.check_password(
            request.app[DATABASE].sessions(readonly=True), username, password
        )

"""A simulated MT-SICS balance on a real TCP port, for tests and the demo.

The pan holds a load that the test (or demo) changes with `place` and `remove`. After every
change the reading moves for `settle_seconds`: `SI` answers `S D`, while `S`, `T` and `Z` hold
their answer until it settles (or answer `I` after `stability_timeout`), as a real balance does.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from decimal import Decimal

from server.balances.mtsics import (
    Command,
    ErrorCode,
    ErrorReply,
    Reading,
    Reply,
    Status,
    decode_line,
    encode_reply,
)


class SimulatedBalance:
    """The state of one balance: load on the pan, zero point, tare and when the load last moved.

    Loads are in `unit`. A load above `capacity` is an overload; a negative load (below the
    factory zero, as when the pan is lifted off) an underload. Commands outside `supported`
    are answered `ES`, like a model whose MT-SICS level lacks them. Loads must be changed from
    the event loop's thread: time is the loop's clock.
    """

    def __init__(
        self,
        serial: str,
        unit: str = "g",
        capacity: Decimal = Decimal("220"),
        decimals: int = 2,
        settle_seconds: float = 0.2,
        stability_timeout: float = 3.0,
        supported: frozenset[Command] = frozenset(Command),
    ) -> None:
        self.serial = serial
        self.unit = unit
        self.capacity = capacity
        self.settle_seconds = settle_seconds
        self.stability_timeout = stability_timeout
        self.supported = supported
        self._step = Decimal(1).scaleb(-decimals)
        self._load = Decimal(0)
        self._zero = Decimal(0)
        self._tare = Decimal(0)
        self._moved_at = -math.inf

    def place(self, load: Decimal) -> None:
        """Put `load` on the pan in place of whatever was there; the reading moves for a while."""
        self._load = load
        self._moved_at = _now()

    def remove(self) -> None:
        """Empty the pan."""
        self.place(Decimal(0))

    @property
    def gross(self) -> Decimal:
        """The weight above the zero point."""
        return self._load - self._zero

    @property
    def net(self) -> Decimal:
        """The gross weight less the tare."""
        return self.gross - self._tare

    @property
    def settled(self) -> bool:
        """Whether `settle_seconds` have passed since the load last changed."""
        return _now() >= self._moved_at + self.settle_seconds

    def answer_now(self, command: Command) -> Reply | ErrorReply:
        """The reply to `command` given the pan as it is now, without waiting."""
        if command not in self.supported:
            return ErrorReply(ErrorCode.SYNTAX)
        reply_id = command.reply_id
        if command in (Command.SERIAL_NUMBER, Command.RESET):
            if command is Command.RESET:
                self._tare = Decimal(0)
            return Reply(reply_id, Status.DONE, text=self.serial)
        if self._load > self.capacity:
            return Reply(reply_id, Status.ABOVE_RANGE)
        if self._load < 0:
            return Reply(reply_id, Status.BELOW_RANGE)
        stable = self.settled
        if command.waits_for_stability and not stable:
            return Reply(reply_id, Status.NOT_EXECUTABLE)
        if command is Command.TARE:
            self._tare = self.gross
            return Reply(reply_id, Status.STABLE, reading=self._reading(self._tare, stable=True))
        if command is Command.ZERO:
            self._zero, self._tare = self._load, Decimal(0)
            return Reply(reply_id, Status.DONE)
        status = Status.STABLE if stable else Status.DYNAMIC
        return Reply(reply_id, status, reading=self._reading(self.net, stable=stable))

    async def answer(self, command: Command) -> Reply | ErrorReply:
        """The reply to `command`, waiting for the load to settle if the command requires it."""
        if command.waits_for_stability:
            deadline = _now() + self.stability_timeout
            # Settling is simulated time, not an event to wait for: each sleep ends when the
            # load would have settled, and a load moved meanwhile sleeps on.
            while (wait := min(self._moved_at + self.settle_seconds, deadline) - _now()) > 0:  # noqa: ASYNC110
                await asyncio.sleep(wait)
        return self.answer_now(command)

    def _reading(self, value: Decimal, *, stable: bool) -> Reading:
        shown = value.quantize(self._step)
        # A balance never shows "-0.00".
        return Reading(shown.copy_abs() if shown == 0 else shown, self.unit, stable)


def _now() -> float:
    return asyncio.get_running_loop().time()


@asynccontextmanager
async def serve_balance(
    balance: SimulatedBalance, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[tuple[str, int]]:
    """Serve `balance` over MT-SICS on TCP, yielding the bound (host, port); port 0 picks one."""
    sessions: set[asyncio.Task[None]] = set()

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        sessions.add(task)
        try:
            await _converse(balance, reader, writer)
        finally:
            sessions.discard(task)
            writer.close()
            with suppress(ConnectionError):
                await writer.wait_closed()

    server = await asyncio.start_server(session, host, port)
    try:
        bound_host, bound_port = server.sockets[0].getsockname()[:2]
        yield bound_host, bound_port
    finally:
        server.close()
        for task in sessions:
            task.cancel()
        if sessions:
            await asyncio.wait(sessions)
        await server.wait_closed()


async def _converse(
    balance: SimulatedBalance, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Answer one client's commands, one at a time, until it hangs up."""
    try:
        while line := await reader.readline():
            try:
                command = Command(decode_line(line))
            except ValueError:
                reply: Reply | ErrorReply = ErrorReply(ErrorCode.SYNTAX)
            else:
                reply = await balance.answer(command)
            writer.write(encode_reply(reply))
            await writer.drain()
    except ConnectionError:
        return  # the client hung up mid-conversation; its next connection starts afresh

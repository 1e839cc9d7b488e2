"""Talk to a balance over TCP with MT-SICS: one connection, one command at a time."""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Self

from server.balances import mtsics
from server.balances.exceptions import (
    BalanceCommandRefused,
    BalanceNotStable,
    BalanceOverload,
    BalanceProtocolError,
    BalanceUnderload,
    BalanceUnreachable,
)
from server.balances.mtsics import Command, ErrorReply, Reading, Reply, Status

# After `I` (busy, or not stable within the balance's own limit), ask again this soon.
_RETRY_PAUSE = 0.05


class BalanceClient:
    """A connection to one balance; `async with BalanceClient(host, port) as balance: ...`.

    `timeout` bounds each operation, including the retries of `stable_weight`, `tare` and
    `zero` while the weight settles. After a timeout or a garbled reply the connection is
    dropped (a late reply would be taken for the next command's); the next command reconnects.
    """

    def __init__(self, host: str, port: int, *, timeout: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._lock = asyncio.Lock()
        self._closed = False

    @property
    def address(self) -> str:
        """`host:port`, as error messages name the balance."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    async def __aenter__(self) -> Self:
        async with self._lock:
            await self._connection(asyncio.get_running_loop().time() + self.timeout)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def stable_weight(self) -> Reading:
        """The net weight once stable (`S`), asking again while the balance reports motion."""
        return await self._weight(Command.STABLE_WEIGHT)

    async def weight_now(self) -> Reading:
        """The net weight as shown right now (`SI`), stable or not."""
        return await self._weight(Command.WEIGHT_NOW)

    async def tare(self) -> Reading:
        """Tare once stable (`T`): the gross weight becomes the tare, which is returned."""
        return await self._weight(Command.TARE)

    async def zero(self) -> None:
        """Set a new zero point once stable (`Z`); this also clears the tare."""
        await self._request(Command.ZERO)

    async def serial_number(self) -> str:
        """The balance's serial number (`I4`)."""
        reply = await self._request(Command.SERIAL_NUMBER)
        if reply.text is None:
            raise BalanceProtocolError(
                self.address, Command.SERIAL_NUMBER.value, mtsics.format_reply(reply)
            )
        return reply.text

    async def aclose(self) -> None:
        """Close the connection; closing twice is safe."""
        self._closed = True
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            # The balance may have reset the connection already: it is closed either way.
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _weight(self, command: Command) -> Reading:
        reply = await self._request(command)
        if reply.reading is None:
            raise BalanceProtocolError(self.address, command.value, mtsics.format_reply(reply))
        return reply.reading

    async def _request(self, command: Command) -> Reply:
        """Send `command` and return its successful reply, asking again while the weight moves."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        while True:
            try:
                reply = await self._exchange(command, deadline)
            except TimeoutError as exc:
                if command.waits_for_stability:
                    raise BalanceNotStable(self.address, self.timeout) from exc
                reason = f"no answer to {command.value!r} within {self.timeout:g} s"
                raise BalanceUnreachable(self.address, reason) from exc
            moving = isinstance(reply, Reply) and reply.status in (
                Status.NOT_EXECUTABLE,
                Status.DYNAMIC,
            )
            if not (command.waits_for_stability and moving):
                return self._checked(command, reply)
            if loop.time() + _RETRY_PAUSE >= deadline:
                raise BalanceNotStable(self.address, self.timeout)
            await asyncio.sleep(_RETRY_PAUSE)

    async def _exchange(self, command: Command, deadline: float) -> Reply | ErrorReply:
        """One command, one reply; `TimeoutError` if the reply is not in by `deadline`."""
        async with self._lock:
            reader, writer = await self._connection(deadline)
            try:
                async with asyncio.timeout_at(deadline):
                    writer.write(mtsics.encode_command(command))
                    await writer.drain()
                    data = await reader.readuntil(mtsics.TERMINATOR)
            except TimeoutError:
                self._drop()
                raise
            except asyncio.IncompleteReadError as exc:
                self._drop()
                raise BalanceUnreachable(self.address, "the balance hung up") from exc
            except (OSError, asyncio.LimitOverrunError) as exc:
                self._drop()
                raise BalanceUnreachable(self.address, f"connection lost ({exc})") from exc
            line = mtsics.decode_line(data)
            try:
                reply = mtsics.parse_reply(line)
            except ValueError as exc:
                self._drop()
                raise BalanceProtocolError(self.address, command.value, line) from exc
            if isinstance(reply, Reply) and reply.identifier != command.reply_id:
                self._drop()
                raise BalanceProtocolError(self.address, command.value, line)
            return reply

    async def _connection(
        self, deadline: float
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """The open connection, opened by `deadline` if needed; the caller holds the lock."""
        if self._closed:
            raise BalanceUnreachable(self.address, "the connection has been closed")
        if self._reader is None or self._writer is None:
            try:
                async with asyncio.timeout_at(deadline):
                    self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            except TimeoutError as exc:
                reason = f"no connection within {self.timeout:g} s"
                raise BalanceUnreachable(self.address, reason) from exc
            except OSError as exc:
                raise BalanceUnreachable(self.address, exc.strerror or str(exc)) from exc
        return self._reader, self._writer

    def _drop(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()

    def _checked(self, command: Command, reply: Reply | ErrorReply) -> Reply:
        """`reply` if it reports success, else the matching `BalanceError`."""
        line = mtsics.format_reply(reply)
        if isinstance(reply, ErrorReply):
            raise BalanceCommandRefused(self.address, command.value, line, reply.code.meaning)
        if command.reports_weight and reply.status is Status.ABOVE_RANGE:
            raise BalanceOverload(self.address)
        if command.reports_weight and reply.status is Status.BELOW_RANGE:
            raise BalanceUnderload(self.address)
        if reply.status in (Status.NOT_EXECUTABLE, Status.ABOVE_RANGE, Status.BELOW_RANGE):
            raise BalanceCommandRefused(self.address, command.value, line, reply.status.meaning)
        return reply


async def read_stable_weight(host: str, port: int, *, timeout: float = 5.0) -> Reading:  # noqa: ASYNC109
    """Connect, read one stable weight, and close: for one-off readings.

    `timeout` is the client's: running out reads as `BalanceNotStable` or `BalanceUnreachable`,
    which a caller's own `asyncio.timeout` could not tell apart.
    """
    async with BalanceClient(host, port, timeout=timeout) as balance:
        return await balance.stable_weight()

"""A TCP proxy that loses and delays traffic at random, as Wi-Fi in a cleanroom does.

Each HTTP request and each answer may be delayed, or cut: a request cut before the server
saw it or half-way through its head or body, an answer cut after the server did the work (the
client never hears of it, or hears half of it). The decision is made on the chunk that begins
the message; the rest of a message flows on as it comes. Decisions come from one seeded
random generator, so the same traffic meets the same weather.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Weather:
    """Chances of cutting a request, of cutting an answer, of a cut falling half-way through
    the message rather than before it, and of delaying either (by up to `delay` seconds)."""

    cut_request: float = 0.25
    cut_answer: float = 0.25
    cut_midway: float = 0.4
    delay_chance: float = 0.3
    delay: float = 0.2


class FlakyProxy:
    """Listens on a free port of 127.0.0.1 and forwards to `upstream` (host, port)."""

    def __init__(self, upstream: tuple[str, int], seed: int, weather: Weather = Weather()) -> None:
        self._upstream = upstream
        self._random = random.Random(seed)
        self._weather = weather
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._streams: set[asyncio.StreamWriter] = set()
        self.counts: Counter[str] = Counter()
        self.port = 0
        # While set, the network is down: connections are cut as soon as they are made.
        self.down = False

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Stop listening and end every connection."""
        if self._server is None:
            return
        self._server.close()
        for stream in list(self._streams):
            stream.close()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    def cut_all(self) -> None:
        """End every open connection at once, as a dropped network does."""
        for stream in list(self._streams):
            stream.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.close()
            return
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self._relay(reader, writer)
        finally:
            self._connections.discard(task)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        streams = [writer]
        self._streams.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
            streams.append(up_writer)
            self._streams.add(up_writer)
            pumps = [
                asyncio.create_task(self._pump(reader, up_writer, "request")),
                asyncio.create_task(self._pump(up_reader, writer, "answer")),
            ]
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            for stream in streams:
                stream.close()
            await asyncio.gather(*pumps, return_exceptions=True)
        except OSError:
            pass  # the server is gone: the client sees its connection closed
        finally:
            for stream in streams:
                stream.close()
                self._streams.discard(stream)

    async def _pump(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, direction: str
    ) -> None:
        """Pass chunks on until a side closes or the weather cuts the connection."""
        weather = self._weather
        cut = weather.cut_request if direction == "request" else weather.cut_answer
        with contextlib.suppress(ConnectionError):
            while chunk := await source.read(65536):
                if _begins_message(chunk, direction):
                    if self._random.random() < weather.delay_chance:
                        self.counts[f"{direction}s delayed"] += 1
                        await asyncio.sleep(self._random.uniform(0, weather.delay))
                    if self._random.random() < cut:
                        self.counts[f"{direction}s cut"] += 1
                        if self._random.random() < weather.cut_midway:
                            self.counts[f"{direction}s cut midway"] += 1
                            sink.write(chunk[: len(chunk) // 2])
                            await sink.drain()
                        return
                sink.write(chunk)
                await sink.drain()


_METHODS = {b"GET", b"POST", b"PUT", b"PATCH", b"DELETE"}


def _begins_message(chunk: bytes, direction: str) -> bool:
    if direction == "answer":
        return chunk.startswith(b"HTTP/1.")
    return chunk.split(b" ", 1)[0] in _METHODS

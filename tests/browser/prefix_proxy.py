"""A load balancer for the browser tests: one origin in front of two server processes,
`/a/*` to process A (prefix stripped), everything else to process B; HTTP and WebSockets
pass through, the browser's Host kept (as a real proxy keeps it)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

PREFIX = "/a"
# Hop-by-hop headers, and what aiohttp recomputes for the body it passes on.
_DROPPED = frozenset(
    {
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "content-encoding",
        "upgrade",
    }
)


class PrefixProxy:
    """Forwards requests; `answers` records (method, path as asked, status) of each."""

    def __init__(self, a: str, b: str) -> None:
        self._a, self._b = a, b
        self.answers: list[tuple[str, str, int]] = []
        self._session: aiohttp.ClientSession | None = None

    def _target(self, request: web.Request) -> str:
        if request.path.startswith(PREFIX + "/"):
            return self._a + request.path_qs[len(PREFIX) :]
        return self._b + request.path_qs

    async def handle(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        headers = CIMultiDict(
            (name, value) for name, value in request.headers.items() if name.lower() not in _DROPPED
        )
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request, headers)
        async with self._session.request(
            request.method,
            self._target(request),
            headers=headers,
            data=await request.read(),
            allow_redirects=False,
            auto_decompress=True,
        ) as answer:
            body = await answer.read()
            out = CIMultiDict(
                (name, value)
                for name, value in answer.headers.items()
                if name.lower() not in _DROPPED
            )
        self.answers.append((request.method, request.path, answer.status))
        return web.Response(status=answer.status, body=body, headers=out)

    async def _websocket(
        self, request: web.Request, headers: CIMultiDict[str]
    ) -> web.StreamResponse:
        assert self._session is not None
        for name in ("Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions"):
            headers.popall(name, None)
        browser_side = web.WebSocketResponse()
        await browser_side.prepare(request)
        async with self._session.ws_connect(self._target(request), headers=headers) as server_side:

            async def pump(source, sink) -> None:  # type: ignore[no-untyped-def]
                async for message in source:
                    if message.type == aiohttp.WSMsgType.TEXT:
                        await sink.send_str(message.data)
                    elif message.type == aiohttp.WSMsgType.BINARY:
                        await sink.send_bytes(message.data)
                await sink.close()

            await asyncio.gather(pump(browser_side, server_side), pump(server_side, browser_side))
        return browser_side

    @asynccontextmanager
    async def serving(self, port: int) -> AsyncIterator[None]:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        runner = web.AppRunner(app, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        async with aiohttp.ClientSession() as session:
            self._session = session
            try:
                yield
            finally:
                await runner.cleanup()

"""Run `stepwise serve` as a real process for crash and multi-instance tests."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp

from tests.client import PASSWORDS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A `stepwise serve` child process on its own port."""

    def __init__(
        self,
        database_url: str,
        data_dir: Path,
        log: Path,
        *options: str,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api/v1"
        self._env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "STEPWISE_DATA_DIR": str(data_dir),
            **(env or {}),
        }
        self._options = options
        self._log = log
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "server",
            "serve",
            "--port",
            str(self.port),
            *self._options,
        ]
        with self._log.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                *command, env=self._env, stdout=log, stderr=log
            )
        async with aiohttp.ClientSession() as session:
            for _ in range(600):
                try:
                    async with session.get(f"{self.url}/openapi.json") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if self._process.returncode is not None:
                    raise RuntimeError(f"server exited: {self._log.read_text()[-2000:]}")
                await asyncio.sleep(0.1)
        raise RuntimeError("server did not start in 60 s")

    async def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, exactly like a crash."""
        assert self._process is not None
        self._process.kill()
        await self._process.wait()

    async def stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            try:
                async with asyncio.timeout(10):
                    await self._process.wait()
            except TimeoutError:
                await self.kill()


class RemoteClient:
    """Calls a server process over real HTTP as demo users."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base
        self.tokens: dict[str, str] = {}

    async def login(self, username: str) -> str:
        async with self.session.post(
            f"{self.base}/auth/login", json={"username": username, "password": PASSWORDS[username]}
        ) as response:
            assert response.status == 200, await response.text()
            self.tokens[username] = (await response.json())["token"]
        return self.tokens[username]

    async def call(self, method: str, path: str, username: str, **kwargs: Any) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.tokens[username]}", **kwargs.pop("headers", {})}
        async with self.session.request(method, self.base + path, headers=headers, **kwargs) as r:
            return r.status, await r.json(content_type=None)


def demo_server(folder: Path, **env: str) -> ServerProcess:
    """`stepwise serve --demo` on SQLite in `folder`, its simulated balance on a free port;
    `env`: more settings."""
    return ServerProcess(
        "",
        folder / "data",
        folder / "server.log",
        "--demo",
        env={"STEPWISE_DEMO_BALANCE_PORT": str(free_port()), **env},
    )

"""CPU per completed step, measured in one process: the server in-process behind aiohttp's
test client, operators (one by default) each completing the steps of their
bench/bench_line.yaml batches one after another (with an Idempotency-Key, as the headset
client sends).

Process CPU time (user + system) is what a busy machine disturbs least: unlike wall time it
does not count the time other people's work held the cores. It covers the server and the
test client (the same process); on PostgreSQL the CPU of the backends serving the bench's own
database is read from /proc and reported separately.

    .venv/bin/python -m bench.step_cpu [--backend postgresql|sqlite] [--operators 1] [--batches 3]
    .venv/bin/python -m bench.step_cpu --profile /tmp/steps.prof   # cProfile of the measured steps
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import make_url

from bench.steps import (
    DEFAULT_PG_URL,
    PASSWORDS,
    PROCEDURE_FILE,
    BackendClock,
    _fresh_database,
    _plain_dsn,
    _valid_values,
)
from procedures.loader import load_procedure_file


class Operator:
    """Signs in demo users and completes steps through the in-process server."""

    def __init__(self, client: TestClient[Any, Any]) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    async def post(self, path: str, body: Any, user: str | None, **headers: str) -> Any:
        if user is not None:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        async with self.client.post("/api/v1" + path, json=body, headers=headers) as answer:
            found = await answer.json()
            if answer.status >= 300:
                raise RuntimeError(f"{path}: {answer.status} {found}")
            return found

    async def sign_in(self, *users: str) -> None:
        for user in users:
            body = {"username": user, "password": PASSWORDS[user]}
            self.tokens[user] = (await self.post("/auth/login", body, None))["token"]

    async def approved_procedure(self) -> str:
        body = {"filename": PROCEDURE_FILE.name, "source": PROCEDURE_FILE.read_text()}
        loaded = await self.post("/procedures", body, "alex")
        signature = {"username": "quinn", "password": PASSWORDS["quinn"], "meaning": "approved"}
        version = f"/procedures/{loaded['key']}/versions/{loaded['version']}"
        await self.post(version + "/submit", None, "alex")
        await self.post(version + "/approve", {"signature": signature}, "quinn")
        return loaded["key"]

    async def started_batch(self, procedure: str) -> tuple[str, str]:
        body = {"procedure": procedure, "batch_number": f"CPU-{uuid.uuid4().hex[:10]}"}
        created = await self.post("/batches", body, "sam")
        started = await self.post(f"/batches/{created['id']}/start", None, "olivia")
        active = next(s["step_id"] for s in started["steps"] if s["state"] == "active")
        return started["id"], active

    async def complete_batch(self, batch_id: str, step: str | None, values: Any) -> int:
        done = 0
        while step is not None:
            path = f"/batches/{batch_id}/steps/{step}/complete"
            key = uuid.uuid4().hex
            answer = await self.post(
                path, {"values": values[step]}, "olivia", **{"Idempotency-Key": key}
            )
            step, done = answer["next_step"], done + 1
        return done


async def _measure(url: str, data_dir: Path, args: argparse.Namespace) -> None:
    from server.app import create_app
    from server.config import Settings
    from server.demo import seed_demo
    from server.web.keys import DATABASE

    settings = Settings(data_dir=data_dir, database_url=url)
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()  # the application migrates the database as it starts
    await seed_demo(client.app[DATABASE], settings)
    try:
        operator = Operator(client)
        await operator.sign_in("alex", "quinn", "sam", "olivia")
        procedure = await operator.approved_procedure()
        values = _valid_values(load_procedure_file(PROCEDURE_FILE))
        batches = [
            await operator.started_batch(procedure)
            for _ in range(args.operators * args.batches + 1)
        ]
        await operator.complete_batch(*batches[0], values)  # warm-up: caches, connections
        backends = None
        if url.startswith("postgresql"):
            backends = BackendClock(_plain_dsn(url), make_url(url).database or "")
            watcher = await asyncpg.connect(backends.dsn)
            await backends.poll(watcher, fresh=True)
        profile = cProfile.Profile(time.process_time) if args.profile else None
        print(f"measuring (pid {os.getpid()})", flush=True)  # where a sampling profiler attaches
        cpu, wall = time.process_time(), time.perf_counter()
        if profile is not None:
            profile.enable()

        async def work(mine: list[tuple[str, str]]) -> int:
            return sum([await operator.complete_batch(*batch, values) for batch in mine])

        lots = [batches[1 + n :: args.operators] for n in range(args.operators)]
        steps = sum(await asyncio.gather(*(work(mine) for mine in lots)))
        if profile is not None:
            profile.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        line = f"{steps} steps: process CPU {1000 * cpu / steps:.2f} ms/step"
        if backends is not None:
            await backends.poll(watcher, fresh=False)
            await watcher.close()
            line += f", PostgreSQL backends {1000 * backends.seconds() / steps:.2f} ms/step"
        print(f"{line} (wall {1000 * wall / steps:.1f} ms/step, not comparable on a busy machine)")
        if profile is not None:
            profile.dump_stats(args.profile)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    finally:
        await client.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--operators", type=int, default=1, help="completing at once")
    parser.add_argument("--batches", type=int, default=3, help="measured batches per operator")
    parser.add_argument("--pg-url", default=os.environ.get("STEPWISE_BENCH_PG", DEFAULT_PG_URL))
    parser.add_argument("--profile", help="write the measured steps' cProfile stats here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stepwise-cpu-") as work:
        if args.backend == "sqlite":
            await _measure(f"sqlite+aiosqlite:///{work}/stepwise.db", Path(work), args)
            return
        async with _fresh_database(args.pg_url, "_cpu") as url:
            await _measure(url, Path(work), args)


if __name__ == "__main__":
    asyncio.run(main())

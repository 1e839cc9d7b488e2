"""Step-completion throughput and latency of Stepwise over HTTP, against a bare aiohttp ceiling.

Starts every server itself as a child process on a free 127.0.0.1 port: a bare aiohttp JSON
endpoint (the ceiling), then `stepwise serve --demo` on SQLite and on a fresh PostgreSQL
database. N simulated operators (asyncio tasks, one shared client session) each run their own
batch of bench/bench_line.yaml and complete its steps as fast as the server answers.

    .venv/bin/python bench/steps.py [--operators 50] [--seconds 15] [--backends sqlite,postgresql]
    .venv/bin/python bench/steps.py --backends postgresql --rates 100,200   # open loop latency
    git worktree add /tmp/before REF && .venv/bin/python bench/steps.py --baseline /tmp/before

Closed loop (the default) measures capacity: every operator sends its next completion as soon
as the last one is answered. Open loop (`--rates`) measures latency at a fixed offered load:
completions leave at Poisson arrival times whatever the answers do, and each latency counts
from the moment its request was due, so a slow answer is never hidden by the sends it delays.
`--workers N` is passed through to `stepwise serve --workers N`.

With --baseline, each backend is measured twice in the same run, first on the other checkout
("before") and then on this one, each on its own fresh database.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy.engine import make_url

from procedures.loader import load_procedure_file
from procedures.model import Procedure
from server.demo import DEMO_USERS

BENCH_DIR = Path(__file__).resolve().parent
PROCEDURE_FILE = BENCH_DIR / "bench_line.yaml"
BARE_SERVER = BENCH_DIR / "bare_server.py"
PASSWORDS = {user.username: user.password for user in DEMO_USERS}
OPERATORS = ("olivia", "omar")
BACKENDS = ("sqlite", "postgresql")
BARE = "bare aiohttp"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
TARGET_STEPS_PER_SECOND = 400.0
TARGET_SERVER_MS = 2.0
TARGET_POSTGRES_MS = 1.5
TARGET_OPEN_P99_MS = 50.0
TARGET_OPEN_RATE = 200.0
START_SECONDS = 600.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchFailed(Exception):
    """The one-line reason the benchmark cannot run."""


@dataclass(frozen=True)
class Window:
    """The measured interval (time.perf_counter seconds), after the warm-up."""

    start: float
    end: float

    @classmethod
    def after_warmup(cls, warmup: float, seconds: float) -> Window:
        start = time.perf_counter() + warmup
        return cls(start, start + seconds)


@dataclass
class Tally:
    """What the clients of one phase saw: latencies inside the window, failures at any time."""

    window: Window
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)

    def observe(self, started: float, finished: float) -> None:
        if self.window.start <= started and finished <= self.window.end:
            self.latencies.append(finished - started)


@dataclass(frozen=True)
class Result:
    """The figures of one phase; CPU in percent of one core over the measured window."""

    backend: str
    operators: int  # open loop: 0
    requests: int
    errors: Counter[str]
    per_second: float
    p50_ms: float
    p99_ms: float
    cpu: dict[str, float]
    rate: float | None = None  # open loop: the offered steps per second

    def cpu_ms_per_request(self, name: str) -> float | None:
        """CPU milliseconds `name` spent per completed request in the window."""
        if name not in self.cpu or not self.per_second:
            return None
        return self.cpu[name] * 10 / self.per_second

    @classmethod
    def of(
        cls,
        backend: str,
        operators: int,
        tally: Tally,
        cpu: dict[str, float],
        rate: float | None = None,
    ) -> Result:
        seconds = tally.window.end - tally.window.start
        p50, p99 = _percentiles(tally.latencies)
        return cls(
            backend=backend,
            operators=operators,
            requests=len(tally.latencies),
            errors=tally.errors,
            per_second=len(tally.latencies) / seconds,
            p50_ms=p50 * 1000,
            p99_ms=p99 * 1000,
            cpu=cpu,
            rate=rate,
        )


def _percentiles(latencies: list[float]) -> tuple[float, float]:
    if len(latencies) < 2:
        return math.nan, math.nan
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return cuts[49], cuts[98]


class Client:
    """JSON over HTTP to one server; every POST carries a fresh Idempotency-Key."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base

    async def post(self, path: str, body: Any, token: str | None = None) -> tuple[int, Any]:
        """Status and decoded answer; status 0 when the request itself failed."""
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            async with self.session.post(self.base + path, json=body, headers=headers) as answer:
                return answer.status, await answer.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return 0, repr(exc)


# Child processes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _last_line(log: Path) -> str:
    lines = log.read_text(errors="replace").strip().splitlines()
    return lines[-1] if lines else "(no output)"


async def _wait_listening(process: asyncio.subprocess.Process, port: int, log: Path) -> None:
    """Return once the port accepts connections (aiohttp binds after its startup completes)."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise BenchFailed(f"server exited with code {process.returncode}: {_last_line(log)}")
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        await writer.wait_closed()
        return
    raise BenchFailed(f"server did not listen within {START_SECONDS:.0f} s: {_last_line(log)}")


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM, then SIGKILL after 10 s; nothing to do if it already exited."""
    if process.returncode is not None:
        return
    process.terminate()
    try:
        async with asyncio.timeout(10):
            await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()


@dataclass(frozen=True)
class Child:
    """A listening child server."""

    pid: int
    url: str

    def cpu_seconds(self) -> float:
        """User plus system CPU time so far of the server and every process it started
        (its `--workers`); BenchFailed if the server has gone."""
        stats = _process_stats()
        if self.pid not in stats:
            raise BenchFailed(f"server process {self.pid} ended during the run")
        children: dict[int, list[int]] = {}
        for pid, (parent, _) in stats.items():
            children.setdefault(parent, []).append(pid)
        total, todo = 0.0, [self.pid]
        while todo:
            pid = todo.pop()
            total += stats[pid][1]
            todo.extend(children.get(pid, []))
        return total


def _process_stats() -> dict[int, tuple[int, float]]:
    """Every process's parent and CPU seconds (Linux /proc)."""
    found = {}
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            stat = path.read_text()
        except OSError:
            continue  # the process ended while we looked
        fields = stat.rsplit(")", 1)[1].split()
        found[int(path.parent.name)] = (int(fields[1]), _cpu_of(stat))
    return found


@asynccontextmanager
async def _child(
    args: list[str], env: dict[str, str], log: Path, cwd: Path | None = None
) -> AsyncIterator[Child]:
    """Run `python ARGS --port P` until the block ends, its output going to `log`."""
    port = _free_port()
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            "--port",
            str(port),
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        await _wait_listening(process, port, log)
        yield Child(process.pid, f"http://127.0.0.1:{port}")
    finally:
        await _stop(process)


async def _seed_demo(env: dict[str, str], log: Path, cwd: Path | None) -> None:
    """`stepwise demo seed` (users, procedures, materials; no history) into the database."""
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "server", "demo", "seed", "--batches", "0"),
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        if await process.wait() != 0:
            raise BenchFailed(f"cannot seed the demo: see {log}")


def _cpu_of(stat: str) -> float:
    """User plus system CPU seconds from the text of /proc/PID/stat (Linux)."""
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _backend_cpu(pid: int) -> float | None:
    """CPU seconds of one process so far, None if it has gone (a /proc read: no disk)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return _cpu_of(stat.read())
    except OSError:
        return None


class BackendClock:
    """CPU seconds of the PostgreSQL backends serving one database, and only those: other
    databases on the same server (other people's work) do not count, nor do the shared
    background processes (WAL writer, checkpointer), which the work of every database feeds.

    Backends come and go with the server's pool, so `poll` runs through the window: each
    backend counts from its first sighting (a backend started inside the window counts from
    zero) to its last; the CPU of a backend between its last poll and its exit is missed.
    """

    def __init__(self, dsn: str, database: str) -> None:
        self.dsn, self.database = dsn, database
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}

    async def poll(self, connection: asyncpg.Connection, fresh: bool) -> None:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            self.database,
        )
        for pid in (row["pid"] for row in rows):
            used = _backend_cpu(pid)
            if used is None:
                continue  # the backend ended while we looked
            self.first.setdefault(pid, used if fresh else 0.0)
            self.last[pid] = used

    def seconds(self) -> float:
        return sum(self.last[pid] - self.first[pid] for pid in self.last)

    async def during(self, window: Window, every: float = 0.1) -> float:
        """CPU seconds the database's backends used over the window."""
        connection = await asyncpg.connect(self.dsn)
        try:
            await asyncio.sleep(window.start - time.perf_counter())
            await self.poll(connection, fresh=True)
            while time.perf_counter() < window.end:
                await asyncio.sleep(min(every, max(0.0, window.end - time.perf_counter())))
                await self.poll(connection, fresh=False)
        finally:
            await connection.close()
        return self.seconds()


# PostgreSQL database


def _plain_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def _fresh_database(admin_url: str, tag: str = "") -> AsyncIterator[str]:
    """A new, empty database for the run (dropped at the end); yields its SQLAlchemy URL."""
    name = f"stepwise_bench_{os.getpid()}{tag}"
    try:
        admin = await asyncpg.connect(_plain_dsn(admin_url), timeout=10)
    except (OSError, TimeoutError, asyncpg.PostgresError) as exc:
        where = make_url(admin_url).render_as_string(hide_password=True)
        raise BenchFailed(f"PostgreSQL at {where} is unreachable: {exc}") from exc
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = make_url(admin_url).set(drivername="postgresql+asyncpg", database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


# Simulated operators


def _valid_values(procedure: Procedure) -> dict[str, dict[str, float]]:
    """For every step, each number input at the middle of its alert band: accepted, no alert."""
    values: dict[str, dict[str, float]] = {}
    for step in procedure.steps():
        values[step.id] = {}
        for item in step.inputs:
            assert item.limits is not None, f"{step.id}.{item.name} needs limits"
            low, high = item.limits.alert_min, item.limits.alert_max
            assert low is not None and high is not None, f"{step.id}.{item.name} needs alert band"
            values[step.id][item.name] = round((low + high) / 2, 3)
    return values


@dataclass(frozen=True)
class Floor:
    """What every operator of a Stepwise phase shares."""

    client: Client
    tally: Tally
    procedure: str
    supervisor: str
    values: dict[str, dict[str, float]]


async def _started_batch(client: Client, tokens: dict[str, str], body: dict[str, Any]) -> str:
    """Create a batch as sam, start it as olivia (BenchFailed if refused): its id."""
    status, created = await client.post("/batches", body, tokens["sam"])
    if status != 201:
        raise BenchFailed(f"cannot create a batch: {status} {created}")
    status, started = await client.post(f"/batches/{created['id']}/start", None, tokens["olivia"])
    if status != 200:
        raise BenchFailed(f"cannot start the batch: {status} {started}")
    return created["id"]


async def _new_batch(floor: Floor, token: str) -> tuple[str, str | None] | None:
    """Create a batch as the supervisor, start it as the operator: its id and active step."""
    number = f"BENCH-{uuid.uuid4().hex[:12]}"
    body = {"procedure": floor.procedure, "batch_number": number}
    status, created = await floor.client.post("/batches", body, floor.supervisor)
    if status != 201:
        floor.tally.errors[f"{status} create batch"] += 1
        return None
    status, started = await floor.client.post(f"/batches/{created['id']}/start", None, token)
    if status != 200:
        floor.tally.errors[f"{status} start batch"] += 1
        return None
    active = next((s["step_id"] for s in started["steps"] if s["state"] == "active"), None)
    return started["id"], active


async def _operate(floor: Floor, token: str) -> None:
    """Complete steps of one's own batch until the window ends; a failed batch is abandoned."""
    batch = await _new_batch(floor, token)
    while batch is not None and time.perf_counter() < floor.tally.window.end:
        batch_id, step_id = batch
        if step_id is None:
            batch = await _new_batch(floor, token)
            continue
        path = f"/batches/{batch_id}/steps/{step_id}/complete"
        started = time.perf_counter()
        status, answer = await floor.client.post(path, {"values": floor.values[step_id]}, token)
        finished = time.perf_counter()
        if status == 200:
            floor.tally.observe(started, finished)
            batch = batch_id, answer["next_step"]
        else:
            floor.tally.errors[f"{status} complete step"] += 1
            batch = await _new_batch(floor, token)


async def _post_bare(client: Client, tally: Tally, body: dict[str, Any]) -> None:
    """One bare-endpoint client: POST as fast as answers come back until the window ends."""
    while time.perf_counter() < tally.window.end:
        started = time.perf_counter()
        status, _ = await client.post("/complete", body, "bare-token")
        finished = time.perf_counter()
        if status == 200:
            tally.observe(started, finished)
        else:
            tally.errors[f"{status} bare"] += 1


# Phases


async def _cpu_during(window: Window, clocks: dict[str, Callable[[], float]]) -> dict[str, float]:
    """Percent of one core each clock advanced by over the window."""
    await asyncio.sleep(window.start - time.perf_counter())
    before = {name: clock() for name, clock in clocks.items()}
    await asyncio.sleep(window.end - time.perf_counter())
    seconds = window.end - window.start
    return {name: 100 * (clock() - before[name]) / seconds for name, clock in clocks.items()}


async def _load(
    workers: list[Coroutine[Any, Any, None]],
    window: Window,
    clocks: dict[str, Callable[[], float]],
    backends: BackendClock | None = None,
) -> dict[str, float]:
    """Run the workers; the CPU each clock (and the database's backends) used in the window."""
    measured = [_cpu_during(window, clocks)]
    if backends is not None:
        measured.append(backends.during(window))
    cpu, *rest = await asyncio.gather(*measured, *workers)
    if backends is not None:
        cpu["postgres"] = 100 * rest[0] / (window.end - window.start)
    return cpu


def _session() -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=0)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60))


def _clocks(child: Child) -> dict[str, Callable[[], float]]:
    return {"server": child.cpu_seconds, "client": time.process_time}


def _backend_clock(database_url: str | None) -> BackendClock | None:
    if database_url is None:
        return None
    return BackendClock(_plain_dsn(database_url), make_url(database_url).database or "")


async def _bare_phase(args: argparse.Namespace, logs: Path) -> Result:
    body = {"values": {"weight_mg_1": 200.0, "hardness_n_1": 90.0}}
    bare = _child([str(BARE_SERVER)], dict(os.environ), logs / "bare.log")
    async with bare as child, _session() as session:
        client, tally = Client(session, child.url), Tally(_window(args))
        workers = [_post_bare(client, tally, body) for _ in range(args.operators)]
        cpu = await _load(workers, tally.window, _clocks(child))
    return Result.of(BARE, args.operators, tally, cpu)


def _window(args: argparse.Namespace) -> Window:
    return Window.after_warmup(args.warmup, args.seconds)


async def _login(client: Client, username: str) -> str:
    body = {"username": username, "password": PASSWORDS[username]}
    status, answer = await client.post("/auth/login", body)
    if status != 200:
        raise BenchFailed(f"cannot sign in as {username}: {status} {answer}")
    return answer["token"]


async def _approve_procedure(client: Client, tokens: dict[str, str]) -> str:
    """Load bench_line.yaml as `alex` (author), approve it as `quinn` (QA) with an e-signature."""
    body = {"filename": PROCEDURE_FILE.name, "source": PROCEDURE_FILE.read_text()}
    status, loaded = await client.post("/procedures", body, tokens["alex"])
    if status != 201:
        raise BenchFailed(f"cannot load {PROCEDURE_FILE.name}: {status} {loaded}")
    base = f"/procedures/{loaded['key']}/versions/{loaded['version']}"
    status, submitted = await client.post(base + "/submit", None, tokens["alex"])
    if status != 200:
        raise BenchFailed(f"cannot submit {loaded['key']}: {status} {submitted}")
    path = base + "/approve"
    signature = {"username": "quinn", "password": PASSWORDS["quinn"], "meaning": "approved"}
    status, approved = await client.post(path, {"signature": signature}, tokens["quinn"])
    if status != 200:
        raise BenchFailed(f"cannot approve {loaded['key']}: {status} {approved}")
    return loaded["key"]


@dataclass(frozen=True)
class Running:
    """A `stepwise serve --demo` child, a client of its API and the tokens of `users`."""

    child: Child
    client: Client
    tokens: dict[str, str]


@asynccontextmanager
async def _stepwise(
    name: str,
    database_url: str | None,
    work: Path,
    users: list[str],
    code: Path | None = None,
    workers: int | None = None,
) -> AsyncIterator[Running]:
    """Serve the demo on `database_url` (None: SQLite in its data directory `work/name`),
    logging to `work/name.log`, with `users` signed in; `code`: another checkout to run;
    `workers`: passed to `stepwise serve --workers`."""
    env = {
        **os.environ,
        "STEPWISE_DATA_DIR": str(work / name),
        "STEPWISE_DEMO_BALANCE_PORT": str(_free_port()),  # beside any other demo server
    }
    env.pop("DATABASE_URL", None)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    if code is not None:
        env["PYTHONPATH"] = str(code)
    log = work / f"{name}.log"
    command = ["-m", "server", "serve", "--demo"]
    if workers is not None:  # --demo runs in one process: seed the demo first, then serve
        await _seed_demo(env, work / f"{name}-seed.log", code)
        command = ["-m", "server", "serve", "--workers", str(workers)]
    async with _child(command, env, log, code) as child, _session() as session:
        client = Client(session, child.url + "/api/v1")
        signed_in = await asyncio.gather(*(_login(client, user) for user in users))
        yield Running(child, client, dict(zip(users, signed_in, strict=True)))


async def _stepwise_phase(
    args: argparse.Namespace, phase: Phase, database_url: str | None, logs: Path
) -> Result:
    users = ["alex", "quinn", "sam", *OPERATORS]
    name = "".join(c if c.isalnum() else "-" for c in phase.name)
    async with _stepwise(name, database_url, logs, users, phase.code, args.workers) as running:
        child, client, tokens = running.child, running.client, running.tokens
        key = await _approve_procedure(client, tokens)
        values = _valid_values(load_procedure_file(PROCEDURE_FILE))
        floor = Floor(client, Tally(_window(args)), key, tokens["sam"], values)
        if phase.rate is not None:
            return await _open_loop(args, phase, floor, child, _backend_clock(database_url))
        workers = [
            _operate(floor, tokens[OPERATORS[n % len(OPERATORS)]]) for n in range(args.operators)
        ]
        backends = _backend_clock(database_url)
        cpu = await _load(workers, floor.tally.window, _clocks(child), backends)
    return Result.of(phase.name, args.operators, floor.tally, cpu)


async def _open_loop(
    args: argparse.Namespace,
    phase: Phase,
    floor: Floor,
    child: Child,
    backends: BackendClock | None,
) -> Result:
    """Send completions at Poisson arrival times of `phase.rate` per second until the window
    ends, each to a batch with no completion in flight. Enough batches are created and started
    beforehand that none is created during the run; an arrival that finds every batch busy
    is counted as an error (the run is then invalid), never delayed."""
    assert phase.rate is not None
    steps = len(floor.values)
    needed = math.ceil(phase.rate * (args.warmup + args.seconds) / steps * 1.2) + 20
    operator = await _login(floor.client, OPERATORS[0])
    ready: deque[tuple[str, str]] = deque()
    for _ in range(needed):  # one at a time: a burst of creations would only be told 503
        created = await _new_batch(floor, operator)
        if created is None or created[1] is None:
            raise BenchFailed(f"cannot prepare the open-loop batches: {dict(floor.tally.errors)}")
        ready.append((created[0], created[1]))
    window = Window.after_warmup(args.warmup, args.seconds)
    tally = Tally(window)
    in_flight: set[asyncio.Task[None]] = set()

    async def send(batch_id: str, step_id: str, due: float) -> None:
        path = f"/batches/{batch_id}/steps/{step_id}/complete"
        status, answer = await floor.client.post(path, {"values": floor.values[step_id]}, operator)
        finished = time.perf_counter()
        if status != 200:
            tally.errors[f"{status} complete step"] += 1
            return
        tally.observe(due, finished)
        if answer["next_step"] is not None:
            ready.append((batch_id, answer["next_step"]))

    async def arrivals() -> None:
        due, chance = time.perf_counter(), random.Random(phase.rate)
        while due < window.end:
            due += chance.expovariate(phase.rate)
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            if not ready:
                tally.errors["no idle batch at an arrival"] += 1
                continue
            task = asyncio.create_task(send(*ready.popleft(), due))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
        if in_flight:
            await asyncio.wait(set(in_flight))

    cpu = await _load([arrivals()], window, _clocks(child), backends)
    return Result.of(phase.name, 0, tally, cpu, phase.rate)


def _progress_start(index: int, total: int, name: str, args: argparse.Namespace) -> None:
    load = f"{args.operators} clients" if not args.rates else "open loop"
    print(
        f"[{index}/{total}] {name}: {load}, {args.warmup:g} s warm-up, "
        f"{args.seconds:g} s measured ...",
        end="",
        flush=True,
    )


def _progress_end(result: Result) -> None:
    errors = sum(result.errors.values())
    print(f" {result.per_second:.0f}/s, p99 {result.p99_ms:.1f} ms, {errors} errors", flush=True)


async def _benchmark(args: argparse.Namespace) -> list[Result]:
    """Every phase in turn, one server at a time, so that they never compete for the CPU; the
    bare ceiling first in closed loop."""
    phases = _phases(args)
    async with AsyncExitStack() as stack:
        logs = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="stepwise-bench-")))
        bare = not args.rates
        total = bare + len(phases)
        results = []
        if bare:
            _progress_start(1, total, BARE, args)
            results.append(await _bare_phase(args, logs))
            _progress_end(results[0])
        for index, phase in enumerate(phases, start=1 + bare):
            _progress_start(index, total, phase.name, args)
            url = None
            if phase.backend == "postgresql":
                fresh = _fresh_database(args.pg_url, f"_{index}")
                url = await stack.enter_async_context(fresh)
            results.append(await _stepwise_phase(args, phase, url, logs))
            _progress_end(results[-1])
    return results


@dataclass(frozen=True)
class Phase:
    """One server measured: its backend, the checkout it runs (None: this one) and, in open
    loop, the offered steps per second."""

    backend: str
    code: Path | None = None
    rate: float | None = None

    @property
    def name(self) -> str:
        name = self.backend if self.code is None else f"{self.backend} before"
        return name if self.rate is None else f"{name} @{self.rate:g}/s"


def _phases(args: argparse.Namespace) -> list[Phase]:
    """Each backend, preceded by the baseline checkout's run when one is given; in open loop,
    each backend at each rate."""
    phases = []
    for backend in args.backends:
        for rate in args.rates or [None]:
            if args.baseline is not None:
                phases.append(Phase(backend, args.baseline, rate))
            phases.append(Phase(backend, None, rate))
    return phases


# Report


def _cpu_cell(result: Result, name: str) -> str:
    return f"{result.cpu[name]:.0f}%" if name in result.cpu else "-"


def _ms_cell(result: Result, name: str) -> str:
    ms = result.cpu_ms_per_request(name)
    return "-" if ms is None else f"{ms:.2f}"


def _table(results: list[Result]) -> list[str]:
    header = (
        f"{'phase':<24}{'load':>10}{'requests':>10}{'errors':>8}{'per s':>9}"
        f"{'p50 ms':>9}{'p99 ms':>9}{'server CPU':>12}{'ms/step':>9}"
        f"{'postgres CPU':>14}{'ms/step':>9}{'client CPU':>12}"
    )
    rows = [header, "-" * len(header)]
    for r in results:
        load = f"{r.operators} ops" if r.rate is None else f"{r.rate:g}/s"
        rows.append(
            f"{r.backend:<24}{load:>10}{r.requests:>10}{sum(r.errors.values()):>8}"
            f"{r.per_second:>9.1f}{r.p50_ms:>9.1f}{r.p99_ms:>9.1f}"
            f"{_cpu_cell(r, 'server'):>12}{_ms_cell(r, 'server'):>9}"
            f"{_cpu_cell(r, 'postgres'):>14}{_ms_cell(r, 'postgres'):>9}"
            f"{_cpu_cell(r, 'client'):>12}"
        )
    return rows


def _met(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _verdicts(results: list[Result]) -> list[str]:
    """The issue's targets, for this checkout's PostgreSQL phases."""
    lines = []
    for r in results:
        if not r.backend.startswith("postgresql") or " before" in r.backend:
            continue
        if r.rate is None:
            server, postgres = r.cpu_ms_per_request("server"), r.cpu_ms_per_request("postgres")
            lines.append(
                f"{r.backend}, closed loop, {r.operators} operators: "
                f"{r.per_second:.0f} steps/s (target >= {TARGET_STEPS_PER_SECOND:.0f}: "
                f"{_met(r.per_second >= TARGET_STEPS_PER_SECOND)}), "
                f"server {server or math.nan:.2f} ms/step (target <= {TARGET_SERVER_MS:g}: "
                f"{_met((server or math.inf) <= TARGET_SERVER_MS)}), "
                f"PostgreSQL {postgres or math.nan:.2f} ms/step "
                f"(target <= {TARGET_POSTGRES_MS:g}: "
                f"{_met((postgres or math.inf) <= TARGET_POSTGRES_MS)})"
            )
        elif r.rate == TARGET_OPEN_RATE:
            lines.append(
                f"{r.backend}, open loop: p99 {r.p99_ms:.1f} ms (target < "
                f"{TARGET_OPEN_P99_MS:g} ms: {_met(r.p99_ms < TARGET_OPEN_P99_MS)})"
            )
    return lines


def _invalid(results: list[Result]) -> list[str]:
    return [
        f"INVALID: {r.backend} had failed requests: "
        + ", ".join(f"{what} x{count}" for what, count in r.errors.most_common())
        for r in results
        if r.errors
    ]


def _report(results: list[Result]) -> None:
    print()
    print("\n".join(_table(results)))
    print("per s: completed steps per second (bare aiohttp: requests per second)")
    print(
        "postgres CPU: the backends serving the bench database only (not other databases,"
        " not the shared background processes); ms/step: CPU milliseconds per completed step"
    )
    print(
        f"CPU: percent of one core over the measured window; this machine has {os.cpu_count()}"
        " cores for the server, the database and the clients together"
    )
    print()
    print("\n".join(_verdicts(results) + _invalid(results)))


# Command line


def _backends(text: str) -> list[str]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(BACKENDS))
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(BACKENDS)}")
    return list(dict.fromkeys(chosen))


def _rates(text: str) -> list[float]:
    try:
        rates = [float(rate) for rate in text.split(",") if rate.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError("steps per second, e.g. 100,200") from exc
    if not rates or min(rates) <= 0:
        raise argparse.ArgumentTypeError("steps per second, e.g. 100,200")
    return rates


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, default=50, help="concurrent operators")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=5.0, help="discarded seconds per phase")
    parser.add_argument(
        "--backends", type=_backends, default=list(BACKENDS), help="sqlite,postgresql"
    )
    parser.add_argument(
        "--pg-url", default=DEFAULT_PG_URL, help="existing database to create the bench one from"
    )
    parser.add_argument(
        "--rates",
        type=_rates,
        default=[],
        help="open loop instead: offered steps per second, e.g. 100,200",
    )
    parser.add_argument(
        "--workers", type=int, help="server processes, passed to `stepwise serve --workers`"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout (e.g. a git worktree of an earlier commit) measured before this "
        "one on each backend, in the same run",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; non-zero with a one-line reason only if it could not run."""
    args = _parser().parse_args(argv)
    try:
        results = asyncio.run(_benchmark(args))
    except BenchFailed as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench: interrupted", file=sys.stderr)
        return 130
    _report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Many headsets at once: N `stepwise-headset` processes run batches against one server.

Starts `stepwise serve --demo` as a child process on a free 127.0.0.1 port (SQLite, or a fresh
PostgreSQL database), approves bench/bench_line.yaml (40 data-entry steps), creates the batches
as the supervisor, then starts N headset clients, each a separate process running its own
script unattended (`--script`): for each of its batches, `batch ID`, then `value ...` and
`confirm` for every step (values in the middle of their alert bands), then `sync`. Every client
follows its batch's events on the WebSocket, as a headset does, and writes its figures
(`--stats`): how long each step's completion took to be answered, when it was answered, and how
late each event arrived (from the time the server stamped on it, when the change was staged in
its transaction, to its arrival), and how many events never arrived (gaps in a batch's `seq`).
Clients start 0.1 s apart (`--ramp`): 200 simultaneous sign-ins (argon2 each) would only
measure the sign-in queue.

Prints per N: batches completed per minute (from the first answered step of any client to the
last), step p50/p99, event delivery p50/p99 and events missing (must be 0), for the whole run
and for the time all clients were at work (from the last client's first answered step to the
first client's last: before and after it, client processes start up or end on the same two
cores, which measures the bench, not the server; the targets are checked on it). With `--pace S`
each operator works a step for a random time of mean S seconds before confirming it, as people
do; without it they confirm as fast as answers come (closed loop). Targets (issue 12): 200
clients at `--pace 10` on PostgreSQL, with one and with two processes (`--workers 2`): step
p99 under 150 ms, event p99 under 100 ms, no event missing.

    .venv/bin/python bench/operators.py [--clients 10,50,200] [--backends postgresql]
                                        [--batches 1] [--ramp 0.1] [--pace 10] [--workers 2]
                                        [--pg-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from steps import (  # bench/steps.py: its child-process, database and client helpers
    DEFAULT_PG_URL,
    PROCEDURE_FILE,
    BenchFailed,
    Client,
    _approve_procedure,
    _fresh_database,
    _percentiles,
    _stepwise,
    _valid_values,
)

from procedures.loader import load_procedure_file
from server.demo import DEMO_USERS

OPERATORS = ("olivia", "omar")
PASSWORDS = {user.username: user.password for user in DEMO_USERS}
BACKENDS = ("sqlite", "postgresql")
# The targets: 200 headsets, each completing a step every 10 s on average.
TARGET_STEP_MS, TARGET_EVENT_MS, TARGET_CLIENTS, TARGET_PACE = 150.0, 100.0, 200, 10.0
CLIENT_SECONDS = 1800.0
CREATING = 8  # batches created at once


@dataclass(frozen=True)
class Result:
    backend: str
    clients: int
    batches: int
    failed: Counter[str]
    per_minute: float
    step_ms: tuple[float, float]
    event_ms: tuple[float, float]
    steps: int
    events: int
    events_missing: int
    steady_seconds: float
    steady_step_ms: tuple[float, float]
    steady_event_ms: tuple[float, float]


def _script(
    batch_ids: list[str], values: dict[str, dict[str, float]], pace: float, rng: random.Random
) -> str:
    """What an operator says for these batches of bench-line, one command a line; with a
    `pace`, the operator works a step for a random time of that mean before confirming it
    (exponential: steps of a floor are not in step with each other)."""
    lines = []
    for batch_id in batch_ids:
        lines.append(f"batch {batch_id}")
        for inputs in values.values():
            lines += [f"value {name} {value}" for name, value in inputs.items()]
            if pace:
                lines.append(f"wait {rng.expovariate(1 / pace):.2f}")
            lines.append("confirm")
    lines.append("sync")
    return "\n".join(lines) + "\n"


async def _create_batches(client: Client, token: str, key: str, count: int) -> list[str]:
    """Create batches as the supervisor; their ids (a headset finds a batch by id at once)."""
    gate = asyncio.Semaphore(CREATING)

    async def create() -> str:
        number = f"OPS-{uuid.uuid4().hex[:12]}"
        async with gate:
            status, answer = await client.post(
                "/batches", {"procedure": key, "batch_number": number}, token
            )
        if status != 201:
            raise BenchFailed(f"cannot create a batch: {status} {answer}")
        return answer["id"]

    return list(await asyncio.gather(*(create() for _ in range(count))))


async def _headset(
    url: str, username: str, work: Path, index: int, ramp: float
) -> tuple[int, str, dict[str, Any]]:
    """Run one headset client to the end: exit code, last line of its errors, its figures.
    Client `index` starts `index * ramp` seconds in, as operators arrive for a shift."""
    await asyncio.sleep(index * ramp)
    stats = work / f"stats-{index}.json"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "headset_client",
        "--server",
        url,
        "--user",
        username,
        "--password-stdin",
        "--outbox",
        str(work / f"outbox-{index}.db"),
        "--script",
        str(work / f"script-{index}.txt"),
        "--stats",
        str(stats),
        "--wait",
        str(CLIENT_SECONDS),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, err = await process.communicate(f"{PASSWORDS[username]}\n".encode())
    except BaseException:  # interrupted: leave no client behind
        process.kill()
        await process.wait()
        raise
    figures = json.loads(stats.read_text()) if stats.exists() else {}
    reason = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
    return process.returncode or 0, reason[0], figures


async def _phase(args: argparse.Namespace, backend: str, clients: int, work: Path) -> Result:
    async with _database(backend, args.pg_url) as database_url:
        users = ["alex", "quinn", "sam"]
        name, workers = f"{backend}-{clients}", args.workers
        async with _stepwise(name, database_url, work, users, workers=workers) as running:
            child, client, tokens = running.child, running.client, running.tokens
            key = await _approve_procedure(client, tokens)
            batch_ids = await _create_batches(client, tokens["sam"], key, clients * args.batches)
            values = _valid_values(load_procedure_file(PROCEDURE_FILE))
            rng = random.Random(clients)
            for index in range(clients):
                mine = batch_ids[index * args.batches : (index + 1) * args.batches]
                script = _script(mine, values, args.pace, rng)
                (work / f"script-{index}.txt").write_text(script)
            runs = await asyncio.gather(
                *(
                    _headset(child.url, OPERATORS[index % len(OPERATORS)], work, index, args.ramp)
                    for index in range(clients)
                )
            )
            done = await _completed(client, tokens["sam"])
    return _result(backend, clients, runs, done)


@asynccontextmanager
async def _database(backend: str, pg_url: str) -> AsyncIterator[str | None]:
    """None for SQLite (the server's file in its data directory), else a fresh database."""
    if backend == "sqlite":
        yield None
        return
    async with _fresh_database(pg_url) as url:
        yield url


async def _completed(client: Client, token: str) -> int:
    """How many of the bench's batches are completed: the list's count (a page holds 50 at
    most; the demo's own history has completed batches too)."""
    async with client.session.get(
        client.base + "/batches?status=completed&batch_number=OPS-&limit=1",
        headers={"Authorization": f"Bearer {token}"},
    ) as answer:
        if answer.status != 200 or "X-Total-Count" not in answer.headers:
            raise BenchFailed(f"cannot count completed batches: {answer.status}")
        return int(answer.headers["X-Total-Count"])


def _result(
    backend: str, clients: int, runs: list[tuple[int, str, dict[str, Any]]], done: int
) -> Result:
    failed = Counter(reason for code, reason, _ in runs if code != 0)
    steps = [s for _, _, figures in runs for s in figures.get("step_seconds", [])]
    events = [e for _, _, figures in runs for e in figures.get("event_seconds", [])]
    answered = [t for _, _, figures in runs for t in figures.get("step_answered_at", [])]
    minutes = (max(answered) - min(answered)) / 60 if len(answered) > 1 else float("nan")
    step_p50, step_p99 = _percentiles(steps)
    event_p50, event_p99 = _percentiles(events)
    start, end = _steady(runs)
    steady_steps = _within(runs, "step_seconds", "step_answered_at", start, end)
    steady_events = _within(runs, "event_seconds", "event_arrived_at", start, end)
    steady_step_p50, steady_step_p99 = _percentiles(steady_steps)
    steady_event_p50, steady_event_p99 = _percentiles(steady_events)
    return Result(
        backend=backend,
        clients=clients,
        batches=done,
        failed=failed,
        per_minute=done / minutes if minutes else float("nan"),
        step_ms=(step_p50 * 1000, step_p99 * 1000),
        event_ms=(event_p50 * 1000, event_p99 * 1000),
        steps=len(steps),
        events=len(events),
        events_missing=sum(int(figures.get("events_missing", 0)) for _, _, figures in runs),
        steady_seconds=max(end - start, 0.0),
        steady_step_ms=(steady_step_p50 * 1000, steady_step_p99 * 1000),
        steady_event_ms=(steady_event_p50 * 1000, steady_event_p99 * 1000),
    )


def _steady(runs: list[tuple[int, str, dict[str, Any]]]) -> tuple[float, float]:
    """When every client was at work: from the last client's first answered step to the
    first client's last. Outside it client processes start or end on the same cores, which
    measures the bench's own start-up, not the server."""
    spans = [(min(t), max(t)) for _, _, figures in runs if (t := figures.get("step_answered_at"))]
    if not spans:
        return 0.0, 0.0
    return max(first for first, _ in spans), min(last for _, last in spans)


def _within(
    runs: list[tuple[int, str, dict[str, Any]]], values: str, times: str, start: float, end: float
) -> list[float]:
    """The figures named `values` whose moment (`times`) falls from start to end."""
    return [
        value
        for _, _, figures in runs
        for value, at in zip(figures.get(values, []), figures.get(times, []), strict=True)
        if start <= at <= end
    ]


def _table(results: list[Result]) -> list[str]:
    rows = [
        "| backend | clients | batches done | batches/min | step p50 / p99 ms "
        "| event p50 / p99 ms | steps | events | events missing | failed clients "
        "| all at work: seconds | step p50 / p99 ms | event p50 / p99 ms |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        step = f"{r.step_ms[0]:.0f} / {r.step_ms[1]:.0f}"
        event = f"{r.event_ms[0]:.0f} / {r.event_ms[1]:.0f}"
        failed = sum(r.failed.values())
        steady_step = f"{r.steady_step_ms[0]:.0f} / {r.steady_step_ms[1]:.0f}"
        steady_event = f"{r.steady_event_ms[0]:.0f} / {r.steady_event_ms[1]:.0f}"
        rows.append(
            f"| {r.backend} | {r.clients} | {r.batches} | {r.per_minute:.1f} | {step} "
            f"| {event} | {r.steps} | {r.events} | {r.events_missing} | {failed} "
            f"| {r.steady_seconds:.0f} | {steady_step} | {steady_event} |"
        )
    return rows


def _verdicts(results: list[Result], pace: float) -> list[str]:
    lines = []
    for r in results:
        if r.failed:
            reason, count = r.failed.most_common(1)[0]
            lines.append(f"{r.backend} x{r.clients}: INVALID, {count} client(s) failed: {reason}")
        if r.events_missing:
            lines.append(f"{r.backend} x{r.clients}: {r.events_missing} event(s) missing")
        if r.backend == "postgresql" and r.clients == TARGET_CLIENTS and pace >= TARGET_PACE:
            step = "met" if r.steady_step_ms[1] < TARGET_STEP_MS else "missed"
            event = "met" if r.steady_event_ms[1] < TARGET_EVENT_MS else "missed"
            lines.append(
                f"target, {TARGET_CLIENTS} clients at a step per {pace:g} s on PostgreSQL, while "
                f"all were at work: step p99 under "
                f"{TARGET_STEP_MS:.0f} ms {step}; event p99 under {TARGET_EVENT_MS:.0f} ms {event}"
            )
    return lines


async def _benchmark(args: argparse.Namespace) -> list[Result]:
    # SIGTERM ends the run like Ctrl-C: clients killed, server stopped, database dropped.
    main = asyncio.current_task()
    assert main is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)
    results = []
    with tempfile.TemporaryDirectory(prefix="stepwise-operators-") as folder:
        for backend in args.backends:
            for clients in args.clients:
                work = Path(folder) / f"{backend}-{clients}"
                work.mkdir()
                print(
                    f"{backend}, {clients} clients x {args.batches} batches ...", end="", flush=True
                )
                started = time.monotonic()
                result = await _phase(args, backend, clients, work)
                print(f" {time.monotonic() - started:.0f} s", flush=True)
                results.append(result)
    return results


def _numbers(text: str) -> list[int]:
    try:
        numbers = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if any(n < 1 for n in numbers):
        raise argparse.ArgumentTypeError("client counts must be at least 1")
    return numbers


def _backends(text: str) -> list[str]:
    chosen = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [name for name in chosen if name not in BACKENDS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(BACKENDS)}")
    return chosen


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=_numbers, default=[10, 50, 200], help="e.g. 10,50,200")
    parser.add_argument("--backends", type=_backends, default=list(BACKENDS))
    parser.add_argument("--batches", type=int, default=1, help="batches per client")
    parser.add_argument(
        "--ramp", type=float, default=0.1, help="seconds between two clients' starts"
    )
    parser.add_argument(
        "--pace", type=float, default=0.0, help="mean seconds an operator works a step (0: none)"
    )
    parser.add_argument("--workers", type=int, help="`stepwise serve --workers N` (PostgreSQL)")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL admin URL")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.workers and "sqlite" in args.backends:
        parser.error("--workers needs PostgreSQL: add --backends postgresql")
    try:
        results = asyncio.run(_benchmark(args))
    except asyncio.CancelledError:
        print("\noperators: stopped", file=sys.stderr)
        return 1
    except BenchFailed as exc:
        print(f"\noperators: {exc}", file=sys.stderr)
        return 1
    print("\n".join(["", *_table(results), "", *_verdicts(results, args.pace)]))
    return 1 if any(r.failed for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())

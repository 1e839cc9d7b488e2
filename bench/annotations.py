"""Annotation delivery: from an expert's POST to the `annotation` event on the headset's WebSocket.

Starts `stepwise serve --demo` as a child process on a free 127.0.0.1 port (SQLite, and
PostgreSQL on a fresh database), creates and starts a batch, subscribes to it over the
WebSocket as the operator (as the headset does), and has the expert POST annotations one
after the other. Prints p50/p99/max of the POST answer and of the delivery, each measured from
just before the POST is sent. Target (the issue): delivered within 150 ms on loopback.

    .venv/bin/python bench/annotations.py [--count 300] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from steps import (  # bench/steps.py: its child-process, database and client helpers
    DEFAULT_PG_URL,
    BenchFailed,
    Client,
    _approve_procedure,
    _fresh_database,
    _percentiles,
    _started_batch,
    _stepwise,
)

BACKENDS = ("sqlite", "postgresql")
TARGET_MS = 150.0
EVENT_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Result:
    backend: str
    count: int
    post_ms: tuple[float, float, float]
    delivery_ms: tuple[float, float, float]

    @classmethod
    def of(cls, backend: str, posts: list[float], deliveries: list[float]) -> Result:
        def figures(seconds: list[float]) -> tuple[float, float, float]:
            p50, p99 = _percentiles(seconds)
            return p50 * 1000, p99 * 1000, max(seconds, default=math.nan) * 1000

        return cls(backend, len(deliveries), figures(posts), figures(deliveries))


class Headset:
    """The operator's WebSocket, subscribed to one batch; hands out events by frame time."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.waiting: dict[float, asyncio.Future[float]] = {}

    def expect(self, frame_timestamp: float) -> asyncio.Future[float]:
        """A future of the time (perf_counter) the annotation drawn on that frame arrives."""
        future = asyncio.get_running_loop().create_future()
        self.waiting[frame_timestamp] = future
        return future

    async def listen(self) -> None:
        async for message in self.ws:
            arrived = time.perf_counter()
            event = message.json()
            if event.get("type") != "annotation" or event.get("action") != "created":
                continue
            future = self.waiting.pop(event["annotation"]["frame_timestamp"], None)
            if future is not None and not future.done():
                future.set_result(arrived)


async def _subscribe(session: aiohttp.ClientSession, url: str, token: str, batch_id: str):  # type: ignore[no-untyped-def]
    ws = await session.ws_connect(f"{url}/api/v1/ws?token={token}")
    await ws.receive_json()  # hello
    await ws.send_json({"subscribe": f"batch:{batch_id}"})
    answer = await ws.receive_json()
    if answer.get("type") != "subscribed":
        raise BenchFailed(f"cannot subscribe to the batch: {answer}")
    return ws


async def _batch_to_draw_on(client: Client, tokens: dict[str, str]) -> str:
    key = await _approve_procedure(client, tokens)
    body = {"procedure": key, "batch_number": f"ANNOT-{os.getpid()}"}
    return await _started_batch(client, tokens, body)


async def _phase(
    args: argparse.Namespace, backend: str, database_url: str | None, logs: Path
) -> Result:
    users = ["alex", "quinn", "sam", "olivia"]
    async with _stepwise(backend, database_url, logs, users) as running:
        child, client, tokens = running.child, running.client, running.tokens
        session = client.session
        batch_id = await _batch_to_draw_on(client, tokens)
        ws = await _subscribe(session, child.url, tokens["olivia"], batch_id)
        headset = Headset(ws)
        listening = asyncio.create_task(headset.listen())
        posts: list[float] = []
        deliveries: list[float] = []
        try:
            for number in range(args.warmup + args.count):
                frame = float(number)
                body = {
                    "stream_id": batch_id,
                    "shape": "arrow",
                    "points": [[0.2, 0.3], [0.5 + number % 40 / 100, 0.5]],
                    "frame_timestamp": frame,
                }
                arrival = headset.expect(frame)
                sent = time.perf_counter()
                status, answer = await client.post(
                    f"/batches/{batch_id}/annotations", body, tokens["quinn"]
                )
                answered = time.perf_counter()
                if status != 201:
                    raise BenchFailed(f"annotation refused: {status} {answer}")
                try:
                    async with asyncio.timeout(EVENT_TIMEOUT_S):
                        arrived = await arrival
                except TimeoutError as exc:
                    raise BenchFailed(
                        f"annotation {number} not delivered in {EVENT_TIMEOUT_S:.0f} s"
                    ) from exc
                if number >= args.warmup:
                    posts.append(answered - sent)
                    deliveries.append(arrived - sent)
        finally:
            listening.cancel()
            await ws.close()
    return Result.of(backend, posts, deliveries)


def _report(results: list[Result]) -> None:
    print(
        f"\n{'backend':<12}{'n':>6}  {'POST p50/p99/max ms':>22}  {'delivery p50/p99/max ms':>26}"
    )
    for result in results:
        post = "/".join(f"{value:.1f}" for value in result.post_ms)
        delivery = "/".join(f"{value:.1f}" for value in result.delivery_ms)
        verdict = "meets" if result.delivery_ms[1] < TARGET_MS else "MISSES"
        target = f"{verdict} p99 < {TARGET_MS:.0f} ms"
        print(f"{result.backend:<12}{result.count:>6}  {post:>22}  {delivery:>26}  {target}")


async def _benchmark(args: argparse.Namespace) -> list[Result]:
    results = []
    with tempfile.TemporaryDirectory(prefix="stepwise-bench-annotations-") as folder:
        logs = Path(folder)
        for backend in args.backends:
            print(f"{backend}: {args.count} annotations after {args.warmup} warm-up…", flush=True)
            if backend == "postgresql":
                async with _fresh_database(args.pg_url) as url:
                    results.append(await _phase(args, backend, url, logs))
            else:
                results.append(await _phase(args, backend, None, logs))
    return results


def _backends(text: str) -> tuple[str, ...]:
    chosen = tuple(name.strip() for name in text.split(",") if name.strip())
    if not chosen or any(name not in BACKENDS for name in chosen):
        raise argparse.ArgumentTypeError(f"choose from {', '.join(BACKENDS)}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="measured annotations per backend")
    parser.add_argument(
        "--warmup", type=int, default=20, help="annotations sent first, not measured"
    )
    parser.add_argument("--backends", type=_backends, default=BACKENDS, help="sqlite,postgresql")
    parser.add_argument(
        "--pg-url", default=DEFAULT_PG_URL, help="PostgreSQL to create the database in"
    )
    args = parser.parse_args(argv)
    try:
        _report(asyncio.run(_benchmark(args)))
    except BenchFailed as exc:
        print(f"annotations benchmark failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

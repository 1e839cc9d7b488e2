"""Live-video fan-out: server CPU per viewer and frames delivered, Stepwise's relay against
aiortc's stock MediaRelay.

One publisher sends 640x480 VP8 at 30 fps; N viewers (N = 0, then --viewers) watch. Each server
runs as its own child process on a free 127.0.0.1 port, so its CPU is measured alone:
- "stepwise": `stepwise serve --demo` (WHIP/WHEP with sign-in, on a demo batch); the relay
  forwards the publisher's RTP packets to every viewer.
- "stock": a bare aiohttp WHIP/WHEP server in this file where every viewer gets
  `MediaRelay().subscribe(track)`: aiortc decodes the publisher once and encodes again per viewer.
The publisher and the viewers are child processes too (viewers several per process); viewers
count the frames they receive without decoding them, to leave the CPU to the servers, except
one probe viewer, in a process of its own, that decodes: the publisher stamps each frame with
its send time (a row of black and white blocks, twice), and the probe reads it back for the
glass-to-glass latency.

Each step's server CPU is taken above the idle stream's, measured over a window as long as the
step's, with the publisher alone, right before that step's viewers join; the step's own window
starts once every viewer has received `--warmup` seconds' worth of frames (every handshake done,
the joins' keyframes and NACKs over). `--repeats` runs each viewer count that many times, prints
every repeat and then the median per viewer count.

    .venv/bin/python bench/relay.py [--viewers 1,5,10,20,40] [--seconds 10] [--modes stepwise,stock]
                                    [--warmup 2] [--repeats 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import av
import numpy as np
from aiohttp import web
from aiortc import RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.contrib.media import MediaRelay
from steps import BenchFailed, Child, Running, _child, _started_batch, _stepwise
from yarl import URL

WIDTH, HEIGHT, FPS = 640, 480, 30
VIEWERS_PER_PROCESS = 5
SDP = "application/sdp"
_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
THIS = str(Path(__file__).resolve())
STAMP_BITS, STAMP_BLOCK = 32, WIDTH // 32  # one row of 20x20 blocks carries a 32-bit time


def now_ms() -> int:
    """Wall-clock milliseconds, modulo 2**32: the same clock in every process of the host."""
    return time.time_ns() // 1_000_000 % 2**STAMP_BITS


def stamp(image: np.ndarray, ms: int) -> None:
    """Write `ms` into the top two block rows of `image` (the same bits twice)."""
    for bit in range(STAMP_BITS):
        value = 255 if ms >> (STAMP_BITS - 1 - bit) & 1 else 0
        x = bit * STAMP_BLOCK
        image[: 2 * STAMP_BLOCK, x : x + STAMP_BLOCK] = value


def read_stamp(gray: np.ndarray) -> int | None:
    """The time written by `stamp`, or None if the two rows disagree (a damaged frame)."""
    half = STAMP_BLOCK // 2
    centres = gray[half : 2 * STAMP_BLOCK : STAMP_BLOCK, half:WIDTH:STAMP_BLOCK]
    if centres.shape != (2, STAMP_BITS):
        return None
    rows = [int("".join("1" if v > 127 else "0" for v in row), 2) for row in centres]
    return rows[0] if rows[0] == rows[1] else None


# The publisher: a synthetic 480p camera


class SyntheticCamera(VideoStreamTrack):
    """Textured frames with a moving bar, pre-rendered so the publisher spends its CPU on
    VP8 encoding and the time stamp only; the texture keeps the encoder near its target
    bitrate, like a camera."""

    def __init__(self) -> None:
        super().__init__()
        rng = np.random.default_rng(7)
        texture = rng.integers(0, 255, (HEIGHT, WIDTH, 3), dtype=np.uint8)
        self._frames = []
        for index in range(FPS):
            image = np.roll(texture, index * 8, axis=1)
            image[:, (index * 20) % WIDTH :][:, :40] = 255
            self._frames.append(image)
        self._sent = 0

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        image = self._frames[self._sent % FPS]
        stamp(image, now_ms())
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        self._sent += 1
        return frame


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


async def _post_sdp(url: str, token: str | None, sdp: str) -> tuple[str, str]:
    """The answer to an offer, and the session's URL (its Location)."""
    headers = {"Content-Type": SDP, **_auth(token)}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=sdp, headers=headers) as r,
    ):
        text = await r.text()
        if r.status != 201:
            raise BenchFailed(f"{url} answered {r.status}: {text[:200]}")
        return text, str(r.url.join(URL(r.headers["Location"])))


async def _negotiate(pc: RTCPeerConnection, url: str, token: str | None) -> str:
    """Offer, apply the answer; the session's URL."""
    await pc.setLocalDescription(await pc.createOffer())
    answer, session = await _post_sdp(url, token, pc.localDescription.sdp)
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    return session


async def _hang_up(sessions: list[str], pcs: list[RTCPeerConnection], token: str | None) -> None:
    """End every session (DELETE), so the server stops sending before the next step."""
    async with aiohttp.ClientSession(headers=_auth(token)) as client:
        for session in sessions:
            async with client.delete(session) as r:
                if r.status not in (200, 204):
                    raise BenchFailed(f"DELETE {session} answered {r.status}")
    for pc in pcs:
        await pc.close()


async def publish(url: str, token: str | None) -> None:
    """Publish the synthetic camera until terminated."""
    pc = RTCPeerConnection()
    pc.addTransceiver(SyntheticCamera(), direction="sendonly")
    await _negotiate(pc, url, token)
    print("ready", flush=True)
    await asyncio.Event().wait()


# The viewers: count frames, decode nothing (but the probe)


class _FrameCounter:
    """Stands in for a receiver's decoder queue: counts whole frames instead of decoding."""

    def __init__(self) -> None:
        self.frames = 0
        self.first = asyncio.Event()

    def put(self, item: Any) -> None:
        if item is not None:
            self.frames += 1
            self.first.set()

    def get(self) -> None:
        return None  # the idle decoder thread exits at once


async def _probe(track: Any, counter: _FrameCounter, latencies: list[int]) -> None:
    """Decode every frame of `track`, counting it and reading its send time."""
    while True:
        frame = await track.recv()
        counter.put(frame)
        sent = read_stamp(frame.to_ndarray(format="gray"))
        if sent is not None:
            latencies.append((now_ms() - sent) % 2**STAMP_BITS)


async def watch(url: str, token: str | None, count: int, probe: bool) -> None:
    """Run `count` viewers (the first one a decoding probe if `probe`); print "ready" once each
    has a frame, then on each stdin line ("start", "stop") print the frame counts so far and
    the latencies read since the last line, as JSON; on "hangup" end every session and print
    "gone"."""
    counters, pcs, sessions, latencies, probes = [], [], [], [], []
    for index in range(count):
        pc = RTCPeerConnection()
        receiver = pc.addTransceiver("video", direction="recvonly").receiver
        counter = _FrameCounter()
        decodes = probe and index == 0
        if not decodes:
            setattr(receiver, _DECODER_QUEUE, counter)
        sessions.append(await _negotiate(pc, url, token))
        if decodes:  # the receiver's track exists once the answer is applied
            probes.append(asyncio.create_task(_probe(receiver.track, counter, latencies)))
        counters.append(counter)
        pcs.append(pc)
    # An overloaded server may starve some viewers: they count zero frames, not fail the run.
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(30):
            await asyncio.gather(*(c.first.wait() for c in counters))
    print("ready", flush=True)
    loop = asyncio.get_running_loop()
    while (line := await loop.run_in_executor(None, sys.stdin.readline)) != "hangup\n":
        if not line:
            return
        print(json.dumps({"frames": [c.frames for c in counters], "ms": latencies}), flush=True)
        latencies.clear()
    for task in probes:
        task.cancel()
    await _hang_up(sessions, pcs, token)
    print("gone", flush=True)


# The stock baseline server


def stock_server(port: int) -> None:
    """WHIP/WHEP with aiortc's MediaRelay: one decoder, one encoder per viewer."""
    relay, peers = MediaRelay(), {}
    source: dict[str, Any] = {}

    async def answer(pc: RTCPeerConnection, request: web.Request) -> web.Response:
        offer = RTCSessionDescription(sdp=await request.text(), type="offer")
        await pc.setRemoteDescription(offer)
        if "track" in source:
            pc.addTrack(relay.subscribe(source["track"], buffered=False))
        await pc.setLocalDescription(await pc.createAnswer())
        location = f"{request.path}/{uuid.uuid4().hex}"
        peers[location] = pc
        headers = {"Location": location}
        return web.Response(
            status=201, text=pc.localDescription.sdp, content_type=SDP, headers=headers
        )

    async def whip(request: web.Request) -> web.Response:
        pc = RTCPeerConnection()
        pc.on("track", lambda track: source.setdefault("track", track))
        return await answer(pc, request)

    async def whep(request: web.Request) -> web.Response:
        return await answer(RTCPeerConnection(), request)

    async def hang_up(request: web.Request) -> web.Response:
        pc = peers.pop(request.path, None)
        if pc is None:
            raise web.HTTPNotFound()
        await pc.close()
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/whip", whip)
    app.router.add_post("/whep", whep)
    app.router.add_delete("/{endpoint}/{session}", hang_up)
    web.run_app(app, host="127.0.0.1", port=port, print=None)


# The driver


@dataclass(frozen=True)
class Measure:
    mode: str
    viewers: int
    cpu: float  # percent of one core, server process only
    idle: float  # the same, with the publisher alone, right before the viewers joined
    fps: list[float]  # delivered frames per second, per viewer
    latency_ms: list[int]  # glass-to-glass, the probe viewer's frames in the window


@dataclass(frozen=True)
class Endpoints:
    whip: str
    whep: str
    token: str | None


async def _demo_batch(running: Running) -> Endpoints:
    """Create and start a batch of a demo procedure: its stream's endpoints."""
    client, tokens = running.client, running.tokens
    body = {
        "procedure": "stw101-compression",
        "batch_number": f"BENCH-{uuid.uuid4().hex[:8]}",
        "parameters": {"batch_size_kg": 12},
    }
    batch_id = await _started_batch(client, tokens, body)
    stream = f"{client.base}/streams/{batch_id}"
    # The operator both publishes and watches: any signed-in user may watch.
    return Endpoints(stream + "/whip", stream + "/whep", tokens["olivia"])


@asynccontextmanager
async def _server(mode: str, logs: Path) -> AsyncIterator[tuple[Child, Endpoints]]:
    if mode == "stock":
        async with _child([THIS, "stock-server"], dict(os.environ), logs / "stock.log") as child:
            yield child, Endpoints(child.url + "/whip", child.url + "/whep", None)
        return
    async with _stepwise("stepwise", None, logs, ["sam", "olivia"]) as running:
        yield running.child, await _demo_batch(running)


@asynccontextmanager
async def _process(*args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    """A child running this file with `args`, once it printed "ready"."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, THIS, *args, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(90):
            line = await process.stdout.readline()
        if line.strip() != b"ready":
            raise BenchFailed(f"{args[0]} did not start: {line!r}")
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


async def _counts(
    workers: list[asyncio.subprocess.Process], command: bytes
) -> tuple[list[int], list[int]]:
    """Every viewer's frame count, and the probe's latencies since the last command."""
    counts: list[int] = []
    latencies: list[int] = []
    for worker in workers:
        assert worker.stdin is not None and worker.stdout is not None
        worker.stdin.write(command)
        await worker.stdin.drain()
    for worker in workers:
        assert worker.stdout is not None
        answer = json.loads(await worker.stdout.readline())
        counts += answer["frames"]
        latencies += answer["ms"]
    return counts, latencies


async def _hang_up_all(workers: list[asyncio.subprocess.Process]) -> None:
    """Have every viewer process end its sessions, and wait until they have."""
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write(b"hangup\n")
        await worker.stdin.drain()
    for worker in workers:
        assert worker.stdout is not None
        async with asyncio.timeout(30):
            line = await worker.stdout.readline()
        if line.strip() != b"gone":
            raise BenchFailed(f"a viewer process did not hang up: {line!r}")


async def _cpu(child: Child, seconds: float) -> float:
    """The server's CPU over the next `seconds`, in percent of one core."""
    cpu_before, started = child.cpu_seconds(), time.perf_counter()
    await asyncio.sleep(seconds)
    return 100 * (child.cpu_seconds() - cpu_before) / (time.perf_counter() - started)


async def _settled(workers: list[asyncio.subprocess.Process], warmup: float) -> None:
    """Wait until every viewer has received `warmup` seconds' worth of frames since the last
    one got its first (at most a minute: an overloaded server may starve some)."""
    wanted = math.ceil(warmup * FPS)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(60):
            counts, _ = await _counts(workers, b"count\n")
            while not all(counts):
                await asyncio.sleep(0.5)
                counts, _ = await _counts(workers, b"count\n")
            first = counts
            while any(now - then < wanted for then, now in zip(first, counts, strict=True)):
                await asyncio.sleep(0.5)
                counts, _ = await _counts(workers, b"count\n")


async def _measure(
    mode: str, child: Child, endpoints: Endpoints, viewers: int, args: argparse.Namespace
) -> Measure:
    token = endpoints.token or ""
    await asyncio.sleep(1)  # the last step's viewers have hung up: let their teardown pass
    idle = await _cpu(child, args.seconds)
    # The probe has a process of its own, so its latency is not its neighbours' queue.
    others = max(viewers - 1, 0)
    sizes = [1] if viewers else []
    sizes += [VIEWERS_PER_PROCESS] * (others // VIEWERS_PER_PROCESS)
    sizes += [others % VIEWERS_PER_PROCESS] if others % VIEWERS_PER_PROCESS else []
    async with AsyncExitStack() as stack:
        workers = [
            await stack.enter_async_context(
                _process("watch", endpoints.whep, token, "--count", str(size), *["--probe"][index:])
            )
            for index, size in enumerate(sizes)
        ]
        await _settled(workers, args.warmup)
        before, _ = await _counts(workers, b"start\n")
        cpu_before, started = child.cpu_seconds(), time.perf_counter()
        await asyncio.sleep(args.seconds)
        after, latencies = await _counts(workers, b"stop\n")
        cpu_after, elapsed = child.cpu_seconds(), time.perf_counter() - started
        await _hang_up_all(workers)
    fps = [(b - a) / elapsed for a, b in zip(before, after, strict=True)]
    cpu = 100 * (cpu_after - cpu_before) / elapsed
    return Measure(mode, viewers, cpu, idle, fps, latencies)


async def run(args: argparse.Namespace) -> list[Measure]:
    results = []
    with tempfile.TemporaryDirectory(prefix="stepwise-relay-bench-") as folder:
        for mode in args.modes:
            async with _server(mode, Path(folder)) as (child, endpoints):
                token = endpoints.token or ""
                async with _process("publish", endpoints.whip, token):
                    for viewers in [0, *args.viewers]:
                        for _ in range(args.repeats if viewers else 1):
                            print(f"{mode}: {viewers} viewers ...", end="", flush=True)
                            measure = await _measure(mode, child, endpoints, viewers, args)
                            fps = min(measure.fps, default=math.nan)
                            print(
                                f" server {measure.cpu:.1f} % of a core (idle {measure.idle:.1f}),"
                                f" min {fps:.1f} fps, latency p50/p95 {_latency(measure)} ms",
                                flush=True,
                            )
                            results.append(measure)
    return results


def _latency(measure: Measure) -> str:
    """Glass-to-glass p50 / p95 in ms, or "-" without stamped frames."""
    if len(measure.latency_ms) < 2:
        return "-"
    cuts = statistics.quantiles(measure.latency_ms, n=100, method="inclusive")
    return f"{cuts[49]:.0f} / {cuts[94]:.0f}"


def report(results: list[Measure]) -> None:
    """The table: server CPU in total, per viewer and per delivered frame above the idle
    stream (measured right before each step), the frame rate each viewer got and the probe's
    glass-to-glass latency, a row per repeat; then the median per delivered frame of each
    viewer count. An overloaded server delivers fewer frames, so CPU per delivered frame is
    the figure to compare."""
    per_frame: dict[tuple[str, int], list[float]] = {}
    print()
    print(
        "| server | viewers | server CPU (% of a core) | per viewer | ms CPU per delivered frame "
        "| fps per viewer (mean / min) | glass-to-glass ms (p50 / p95) |"
    )
    print("|---|---|---|---|---|---|---|")
    for m in results:
        if not m.viewers:
            print(f"| {m.mode} | 0 | {m.cpu:.1f} | - | - | - | - |")
            continue
        extra, delivered = m.cpu - m.idle, sum(m.fps)
        shown = "-"
        if delivered:
            per_frame.setdefault((m.mode, m.viewers), []).append(10 * extra / delivered)
            shown = f"{10 * extra / delivered:.2f}"
        fps = f"{delivered / len(m.fps):.1f} / {min(m.fps):.1f}"
        print(
            f"| {m.mode} | {m.viewers} | {m.cpu:.1f} | {extra / m.viewers:.2f} | {shown} | {fps} "
            f"| {_latency(m)} |"
        )
    medians = {key: statistics.median(figures) for key, figures in per_frame.items()}
    print()
    for (mode, viewers), figures in per_frame.items():
        shown = ", ".join(f"{f:.2f}" for f in figures)
        print(
            f"{mode}, {viewers} viewers: ms CPU per delivered frame median"
            f" {medians[(mode, viewers)]:.2f} (repeats: {shown})"
        )
    for viewers in sorted({m.viewers for m in results if m.viewers}):
        ours, stock = medians.get(("stepwise", viewers)), medians.get(("stock", viewers))
        if ours and stock:
            print(f"{viewers} viewers: the stock relay spends {stock / ours:.1f}x CPU per frame")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("stock-server").add_argument("--port", type=int, required=True)
    for name in ("publish", "watch"):
        child = sub.add_parser(name)
        child.add_argument("url")
        child.add_argument("token")
        child.add_argument("--count", type=int, default=1)
        child.add_argument("--probe", action="store_true", help="the first viewer decodes")
    parser.add_argument("--viewers", default="1,5,10,20,40")
    parser.add_argument("--modes", default="stepwise,stock")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="seconds of frames every viewer must have received before a step's window",
    )
    parser.add_argument("--repeats", type=int, default=1, help="runs of each viewer count")
    args = parser.parse_args()
    if args.command == "stock-server":
        stock_server(args.port)
        return 0
    if args.command == "publish":
        asyncio.run(publish(args.url, args.token or None))
        return 0
    if args.command == "watch":
        asyncio.run(watch(args.url, args.token or None, args.count, args.probe))
        return 0
    args.viewers = [int(n) for n in args.viewers.split(",")]
    args.modes = args.modes.split(",")
    try:
        report(asyncio.run(run(args)))
    except BenchFailed as exc:
        print(f"\nbench/relay.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

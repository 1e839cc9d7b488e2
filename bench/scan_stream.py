"""Hands-free scanning from a live stream: what the analysis costs and how fast a code is seen.

Part 1 times, on one thread, what the server does per frame while it analyses a 640x480 VP8
stream: decoding every frame, converting a sampled one to BGR and reading its codes (a frame
with a code, and an empty desk).

Part 2 runs `stepwise serve --demo` as a child process (SQLite, temporary data directory) and
publishes a synthetic camera over WHIP with aiortc at 640x480, 10 frames per second, to a batch
whose procedure starts with an instruction, then scans a balance. It measures the server's CPU
with the stream live and no scan step (the decoder must be idle), then with the scan step active
and no code in view (decoding and sampled analysis), and then the time from the first frame
showing the balance's QR code to the `scan` event on the batch's WebSocket, over several
appearances (the code leaves the view for 1.5 s between them).

    .venv/bin/python bench/scan_stream.py [--trials 10] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import av
import numpy as np
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from media.codes import decode_frame
from media.symbols import qr_modules
from media.synthetic import empty_scene, scene
from server.demo import DEMO_USERS
from server.scans.resolver import qr_payload

WIDTH, HEIGHT, FPS = 640, 480, 10
CODE = qr_payload("equipment", "EQ-BAL-01")
PASSWORDS = {user.username: user.password for user in DEMO_USERS}
PROCEDURE = """
key: scan-bench
title: Scan from the stream (benchmark)
operations:
  - id: booth
    title: Booth
    steps:
      - {id: enter, title: Enter the booth, kind: instruction}
      - id: scan_balance
        title: Scan the balance
        kind: scan
        inputs:
          - name: balance_id
            label: Balance
            type: scan
            expects: {kind: equipment, type: balance}
      - {id: done, title: Done, kind: instruction}
"""


def _frames() -> tuple[np.ndarray, np.ndarray]:
    """The camera's two views: the balance's QR code on a desk, and the desk alone."""
    with_code = scene(qr_modules(CODE), 5, "perspective", seed=3, size=(WIDTH, HEIGHT))
    return with_code, empty_scene(seed=4, size=(WIDTH, HEIGHT))


def _ms(seconds: list[float]) -> str:
    return f"{statistics.median(seconds) * 1000:.2f} ms (max {max(seconds) * 1000:.2f})"


def per_frame_costs(frames: int = 60) -> None:
    """Part 1: decode, convert and read codes, timed per frame on one thread."""
    with_code, empty = _frames()
    encoder = av.CodecContext.create("libvpx", "w")
    encoder.width, encoder.height, encoder.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    encoder.time_base, encoder.bit_rate = fractions.Fraction(1, 90_000), 500_000
    encoder.options = {"deadline": "realtime", "lag-in-frames": "0", "cpu-used": "8"}
    packets = []
    for index in range(frames):
        image = with_code if index % 2 else empty
        picture = av.VideoFrame.from_ndarray(image, format="bgr24").reformat(format="yuv420p")
        picture.pts = index * 9000
        packets += [bytes(packet) for packet in encoder.encode(picture)]
    decoder = av.CodecContext.create("vp8", "r")
    decode, convert, pictures = [], [], []
    for data in packets:
        started = time.thread_time()
        decoded = decoder.decode(av.Packet(data))
        decode.append(time.thread_time() - started)
        for picture in decoded:
            started = time.thread_time()
            pictures.append(picture.to_ndarray(format="bgr24"))
            convert.append(time.thread_time() - started)
    read_code, read_empty = [], []
    for index, image in enumerate(pictures):
        started = time.thread_time()
        found = decode_frame(image)
        (read_code if index % 2 else read_empty).append(time.thread_time() - started)
        assert bool(found) == bool(index % 2), "the code must be read exactly where it is"
    print(f"Part 1: CPU per frame, 640x480 VP8, one thread ({len(packets)} frames)")
    print(f"  decode (every frame)          {_ms(decode)}")
    print(f"  BGR conversion (sampled)      {_ms(convert)}")
    print(f"  code reading, code in view    {_ms(read_code)}")
    print(f"  code reading, empty desk      {_ms(read_empty)}")
    load = 30 * statistics.median(decode) + 5 * (
        statistics.median(convert) + statistics.median(read_empty)
    )
    print(f"  => a 30 fps stream analysed 5 times a second: about {load * 100:.1f} % of a core")


class Camera(MediaStreamTrack):
    """The publisher's camera: `image` at 10 frames per second; `shown` records when the
    first frame of a new image went out."""

    kind = "video"

    def __init__(self, image: np.ndarray) -> None:
        super().__init__()
        self._image, self._pending = image, False
        self.shown = 0.0
        self._sent = 0
        self._start: float | None = None

    def show(self, image: np.ndarray) -> None:
        self._image, self._pending = image, True

    async def recv(self) -> av.VideoFrame:  # type: ignore[override]
        if self._start is None:
            self._start = time.monotonic()
        await asyncio.sleep(max(0.0, self._start + self._sent / FPS - time.monotonic()))
        frame = av.VideoFrame.from_ndarray(self._image, format="bgr24")
        frame.pts, frame.time_base = self._sent * 9000, fractions.Fraction(1, 90_000)
        if self._pending:
            self._pending, self.shown = False, time.monotonic()
        self._sent += 1
        return frame


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@asynccontextmanager
async def _server(data_dir: Path) -> AsyncIterator[tuple[str, int]]:
    """`stepwise serve --demo` on a free port: its base URL and process id."""
    port = _free_port()
    env = {
        **os.environ,
        "STEPWISE_DATA_DIR": str(data_dir),
        "STEPWISE_DEMO_BALANCE_PORT": str(_free_port()),
    }
    env.pop("DATABASE_URL", None)
    log = (data_dir / "server.log").open("wb")
    command = [sys.executable, "-m", "server", "serve", "--demo", "--port", str(port)]
    process = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                if process.returncode is not None or time.monotonic() > deadline:
                    raise SystemExit("the server did not start; see " + log.name) from None
                await asyncio.sleep(0.2)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
        log.close()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _cpu_share(pid: int, seconds: float) -> float:
    before, started = _cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(seconds)
    return (_cpu_seconds(pid) - before) / (time.monotonic() - started)


class Api:
    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base, self.tokens = http, base + "/api/v1", {}

    async def login(self, username: str) -> str:
        body = {"username": username, "password": PASSWORDS[username]}
        async with self.http.post(self.base + "/auth/login", json=body) as response:
            self.tokens[username] = (await response.json())["token"]
        return self.tokens[username]

    async def post(self, path: str, username: str, body: Any, expect: int = 200) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[username]}"}
        async with self.http.post(self.base + path, json=body, headers=headers) as response:
            answer = await response.json(content_type=None)
            if response.status != expect:
                raise SystemExit(f"POST {path}: {response.status} {answer}")
            return answer


async def _batch(api: Api) -> str:
    """The benchmark procedure, approved, and a started batch of it."""
    loaded = await api.post(
        "/procedures", "alex", {"filename": "scan-bench.yaml", "source": PROCEDURE}, 201
    )
    await api.post(f"/procedures/{loaded['key']}/versions/{loaded['version']}/submit", "alex", None)
    signature = {"username": "quinn", "password": PASSWORDS["quinn"], "meaning": "approved"}
    await api.post(
        f"/procedures/{loaded['key']}/versions/{loaded['version']}/approve",
        "quinn",
        {"signature": signature},
    )
    number = f"SB-{uuid.uuid4().hex[:6]}"
    batch = await api.post(
        "/batches", "sam", {"procedure": "scan-bench", "batch_number": number}, 201
    )
    await api.post(f"/batches/{batch['id']}/start", "olivia", None)
    return batch["id"]


async def _publish(api: Api, batch_id: str, camera: Camera) -> RTCPeerConnection:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver(camera, direction="sendonly")
    await pc.setLocalDescription(await pc.createOffer())
    headers = {
        "Authorization": f"Bearer {api.tokens['olivia']}",
        "Content-Type": "application/sdp",
    }
    url = f"{api.base}/streams/{batch_id}/whip"
    async with api.http.post(url, data=pc.localDescription.sdp, headers=headers) as response:
        if response.status != 201:
            raise SystemExit(f"WHIP: {response.status} {await response.text()}")
        answer = await response.text()
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    return pc


async def _next_scan(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            event = await ws.receive_json()
            if event.get("type") == "scan":
                return event


async def live_stream(trials: int, seconds: float) -> None:
    """Part 2: server CPU without and with analysis, and code-in-view to `scan` event."""
    with_code, empty = _frames()
    with tempfile.TemporaryDirectory(prefix="scan-bench-") as folder:
        async with _server(Path(folder)) as (base, pid), aiohttp.ClientSession() as http:
            api = Api(http, base)
            for username in ("alex", "quinn", "sam", "olivia"):
                await api.login(username)
            batch_id = await _batch(api)
            camera = Camera(empty)
            pc = await _publish(api, batch_id, camera)
            try:
                await asyncio.sleep(2)  # connected, frames flowing
                idle = await _cpu_share(pid, seconds)
                ws = await http.ws_connect(f"{api.base}/ws?token={api.tokens['olivia']}")
                await ws.receive_json()
                await ws.send_json({"subscribe": f"batch:{batch_id}"})
                await ws.receive_json()
                await api.post(
                    f"/batches/{batch_id}/steps/enter/complete", "olivia", {"values": {}}
                )
                await asyncio.sleep(1)
                analysing = await _cpu_share(pid, seconds)
                latencies, rng = [], random.Random(7)
                for _ in range(trials):
                    camera.show(with_code)
                    await _next_scan(ws)
                    latencies.append(time.monotonic() - camera.shown)
                    camera.show(empty)
                    # Out of view long enough to be announced again; the jitter keeps the
                    # appearances from locking onto the sampling phase.
                    await asyncio.sleep(1.5 + rng.uniform(0, 0.2))
                await ws.close()
            finally:
                await pc.close()
    print(f"Part 2: live stream, 640x480 at {FPS} fps, server process CPU (of one core)")
    print(f"  stream live, no scan step     {idle * 100:.1f} %")
    print(f"  scan step active, no code     {analysing * 100:.1f} %")
    print(
        f"  code in view -> scan event    min {min(latencies) * 1000:.0f} ms, median "
        f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms "
        f"over {trials} appearances"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    per_frame_costs()
    asyncio.run(live_stream(args.trials, args.seconds))


if __name__ == "__main__":
    main()

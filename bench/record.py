"""Batch record export time: record.json and record.pdf of a batch of 200 steps with 20 photos.

Builds the batch itself, through the HTTP API of an in-process server on a fresh SQLite
database: a generated procedure of 200 data-entry steps (three number inputs each, one
signed step in five), 20 photos (1600x1200 JPEGs of noise, so decoding them is real work)
attached to every tenth step, then times GET record.json and GET record.pdf.

    .venv/bin/python bench/record.py [--steps 200] [--photos 20] [--runs 5]

Targets (issue 11): PDF under 2 s, JSON under 0.3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer
from PIL import Image
from pypdf import PdfReader

from server.app import create_app
from server.config import Settings
from server.db.engine import open_database
from server.db.migrate import upgrade
from server.demo import DEMO_USERS, seed_demo

PASSWORDS = {user.username: user.password for user in DEMO_USERS}
STEPS_PER_OPERATION = 20
TARGET_JSON_S = 0.3
TARGET_PDF_S = 2.0


class BenchFailed(Exception):
    """The one-line reason the benchmark cannot run."""


def procedure_source(steps: int) -> str:
    """A procedure of `steps` data-entry steps with three limited number inputs each."""
    operations = []
    for first in range(0, steps, STEPS_PER_OPERATION):
        numbers = range(first, min(first + STEPS_PER_OPERATION, steps))
        operations.append(
            {
                "id": f"round_{first // STEPS_PER_OPERATION + 1}",
                "title": f"In-process controls, round {first // STEPS_PER_OPERATION + 1}",
                "steps": [_step(n) for n in numbers],
            }
        )
    # Compact JSON (which is YAML): 200 steps in block YAML exceed the 100,000-character
    # limit of an uploaded procedure source.
    document = {
        "key": "bench-record",
        "title": "Benchmark record - 200 in-process controls",
        "product": "BENCH-100 tablets",
        "operations": operations,
    }
    return json.dumps(document, separators=(",", ":"))


def _step(n: int) -> dict[str, Any]:
    step: dict[str, Any] = {
        "id": f"check_{n}",
        "title": f"Check {n + 1}",
        "kind": "data_entry",
        "instruction": "Weigh 10 tablets.",
        "inputs": [
            _input(f"w{n}", "Weight", "mg", 190, 194, 206, 210),
            _input(f"h{n}", "Hardness", "N", 60, 70, 110, 120),
            _input(f"t{n}", "Thickness", "mm", 3.8, 3.9, 4.3, 4.4),
        ],
    }
    if n % 5 == 4:
        step["signature"] = "performed"
    return step


def _input(name: str, label: str, unit: str, *bounds: float) -> dict[str, Any]:
    low, alert_low, alert_high, high = bounds
    limits = {"min": low, "alert_min": alert_low, "alert_max": alert_high, "max": high}
    return {"name": name, "label": label, "type": "number", "unit": unit, "limits": limits}


def photo(seed: int) -> bytes:
    """A 1600x1200 JPEG of coloured noise: costs what a camera photo costs to decode."""
    bands = [Image.effect_noise((1600, 1200), 40 + 10 * ((seed + i) % 5)) for i in range(3)]
    buffer = io.BytesIO()
    Image.merge("RGB", bands).save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


class Client:
    """Calls the API as the demo users."""

    def __init__(self, client: TestClient[Any, Any]) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    async def call(self, method: str, path: str, user: str, **kwargs: Any) -> tuple[int, bytes]:
        if user not in self.tokens:
            body = {"username": user, "password": PASSWORDS[user]}
            async with self.client.post("/api/v1/auth/login", json=body) as resp:
                self.tokens[user] = (await resp.json())["token"]
        headers = {"Authorization": f"Bearer {self.tokens[user]}", **kwargs.pop("headers", {})}
        async with self.client.request(method, "/api/v1" + path, headers=headers, **kwargs) as resp:
            data = await resp.read()
            if resp.status >= 300:
                raise BenchFailed(f"{method} {path}: {resp.status} {data[:300]!r}")
            return resp.status, data

    async def json(self, method: str, path: str, user: str, **kwargs: Any) -> Any:
        return json.loads((await self.call(method, path, user, **kwargs))[1])


def _signature(user: str, meaning: str) -> dict[str, str]:
    return {"username": user, "password": PASSWORDS[user], "meaning": meaning}


async def build_batch(api: Client, steps: int, photos: int) -> str:
    """Load and approve the procedure, run a batch of it to completion with the photos."""
    loaded = await api.json(
        "POST",
        "/procedures",
        "alex",
        json={"filename": "bench_record.yaml", "source": procedure_source(steps)},
    )
    key, version = loaded["key"], loaded["version"]
    await api.call("POST", f"/procedures/{key}/versions/{version}/submit", "alex")
    await api.call(
        "POST",
        f"/procedures/{key}/versions/{version}/approve",
        "quinn",
        json={"signature": _signature("quinn", "approved")},
    )
    batch = await api.json(
        "POST", "/batches", "sam", json={"procedure": key, "batch_number": "BENCH-REC-0001"}
    )
    batch_id = batch["id"]
    await api.call("POST", f"/batches/{batch_id}/start", "olivia")
    every = max(1, steps // photos) if photos else 0
    for n in range(steps):
        if every and n % every == 0 and n // every < photos:
            await _attach_photo(api, batch_id, n)
        body: dict[str, Any] = {
            "values": {
                f"w{n}": 200.0 + (n % 7) / 10,
                f"h{n}": 90 + n % 9,
                f"t{n}": 4.1,
            }
        }
        if n % 5 == 4:
            body["signature"] = _signature("olivia", "performed")
        await api.call("POST", f"/batches/{batch_id}/steps/check_{n}/complete", "olivia", json=body)
    return batch_id


async def _attach_photo(api: Client, batch_id: str, n: int) -> None:
    stored = await api.json(
        "POST", "/media", "olivia", data=photo(n), headers={"Content-Type": "image/jpeg"}
    )
    await api.call(
        "POST",
        f"/batches/{batch_id}/attachments",
        "olivia",
        json={"media_id": stored["id"], "caption": f"Tablets of check {n + 1}"},
    )


@dataclass
class Timings:
    """Wall-clock seconds per GET, and the CPU seconds the process (server and client, all
    threads) spent on it: on a machine shared with other work the CPU time is the steadier."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


async def timed(api: Client, path: str, runs: int) -> tuple[Timings, bytes]:
    """Timings of `runs` GETs of `path`, and the last answer."""
    timings, body = Timings(), b""
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        _, body = await api.call("GET", path, "quinn")
        timings.wall.append(time.perf_counter() - start)
        timings.cpu.append(time.process_time() - start_cpu)
    return timings, body


async def run(steps: int, photos: int, runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="stepwise-bench-record-") as folder:
        settings = Settings(data_dir=Path(folder), database_url="")
        url = settings.effective_database_url
        await upgrade(url)
        database = open_database(url)
        try:
            await seed_demo(database, settings)
        finally:
            await database.dispose()
        client = TestClient(TestServer(create_app(settings)))
        await client.start_server()
        try:
            api = Client(client)
            started = time.perf_counter()
            batch_id = await build_batch(api, steps, photos)
            print(
                f"built a batch of {steps} steps, {photos} photos in "
                f"{time.perf_counter() - started:.1f} s"
            )
            json_s, record = await timed(api, f"/batches/{batch_id}/record.json", runs)
            pdf_s, pdf = await timed(api, f"/batches/{batch_id}/record.pdf", runs)
        finally:
            await client.close()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    _report("record.json", json_s, TARGET_JSON_S, f"{len(record) / 1e6:.2f} MB")
    _report("record.pdf", pdf_s, TARGET_PDF_S, f"{len(pdf) / 1e6:.2f} MB, {pages} pages")


def _report(name: str, timings: Timings, target: float, size: str) -> None:
    wall, cpu = statistics.median(timings.wall), statistics.median(timings.cpu)
    verdict = "met" if wall < target else "MISSED"
    print(
        f"{name:<12} median {wall:.3f} s (first {timings.wall[0]:.3f}, min "
        f"{min(timings.wall):.3f}, max {max(timings.wall):.3f}; {len(timings.wall)} runs), "
        f"CPU {cpu:.3f} s  {size}  "
        f"target < {target} s: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    try:
        asyncio.run(run(args.steps, args.photos, args.runs))
    except BenchFailed as exc:
        raise SystemExit(f"record bench: {exc}") from exc


if __name__ == "__main__":
    main()

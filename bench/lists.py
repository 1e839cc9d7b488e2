"""How fast each list answers a page, and the batch view one batch, as records pile up.

Fills a fresh database (SQLite file, and a fresh PostgreSQL database) with years of a busy
site, written in bulk straight into the tables (not through the API): `--batches` batches of
the demo procedures with every step record and the values of their completed steps, a few
open deviations, a lot per ten batches and `--audit` audit entries. Then serves the real
application on a loopback port and asks each list and filter for its first page and the
pages after it (following `Link: rel="next"`), and one batch's record, `--repeat` times each.
Prints p50 and p99 per page; the same at `--small` batches for comparison.

    .venv/bin/python bench/lists.py              # 100,000 batches, 1,000,000 audit entries
    .venv/bin/python bench/lists.py --batches 20000 --audit 200000 --backends sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp.test_utils import TestServer
from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from procedures.model import Procedure as Definition
from procedures.states import BatchStatus, StepStatus
from server.app import create_app
from server.audit.models import AuditEntry
from server.auth.models import User
from server.batches.models import Batch, StepRecord, StepValue
from server.config import Settings
from server.db.engine import Database, open_database
from server.db.migrate import upgrade
from server.demo import DEMO_USERS, seed_demo
from server.deviations.models import Deviation
from server.library import service as library
from server.library.models import ProcedureVersion
from server.materials.models import Lot, Material

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
PASSWORDS = {user.username: user.password for user in DEMO_USERS}
TARGET_MS = 50.0
CHUNK = 5_000
START = datetime(2021, 1, 4, 6, 0, tzinfo=UTC)
ACTIONS = ("batch.created", "batch.started", "step.completed", "value.corrected", "lot.released")
# Most batches of a site's years are decided; the rest are what the floor works on now.
STATUS_MIX = [
    (BatchStatus.RELEASED, 0.90),
    (BatchStatus.REJECTED, 0.01),
    (BatchStatus.COMPLETED, 0.04),
    (BatchStatus.IN_PROGRESS, 0.03),
    (BatchStatus.ON_HOLD, 0.005),
    (BatchStatus.CREATED, 0.015),
]


@dataclass(frozen=True)
class Site:
    """What the bulk rows refer to."""

    versions: list[tuple[ProcedureVersion, Definition]]
    users: dict[str, str]
    materials: list[str]


def _value(kind: str, limits: Any, rng: random.Random) -> Any:
    if kind == "number":
        low = getattr(limits, "min", None) if limits else None
        high = getattr(limits, "max", None) if limits else None
        low, high = low if low is not None else 0.0, high if high is not None else 100.0
        return round(rng.uniform(float(low), float(high)), 2)
    if kind == "boolean":
        return True
    if kind == "choice":
        return "conforms"
    return f"X{rng.randrange(10**8):08d}"


def _batch_rows(site: Site, count: int, rng: random.Random) -> Iterator[tuple[list, list, list]]:
    """Chunks of (batches, step records, step values), oldest batch first."""
    span = (datetime.now(UTC) - START).total_seconds()
    user_ids = list(site.users.values())
    operators = [site.users["olivia"], site.users["omar"]] if "omar" in site.users else user_ids
    statuses = [status for status, _ in STATUS_MIX]
    weights = [weight for _, weight in STATUS_MIX]
    batches, steps, values = [], [], []
    for n in range(count):
        version, definition = site.versions[n % len(site.versions)]
        created = START + timedelta(seconds=span * n / count)
        status = rng.choices(statuses, weights)[0]
        if n >= count - 50:
            status = rng.choice([BatchStatus.IN_PROGRESS, BatchStatus.CREATED])
        operator = rng.choice(operators)
        batch_id = str(uuid.uuid4())
        decided = status in (BatchStatus.RELEASED, BatchStatus.REJECTED)
        done = status not in (BatchStatus.CREATED,)
        batches.append(
            {
                "id": batch_id,
                "batch_number": f"{definition.key.split('-')[-1][:4].upper()}-{n:07d}",
                "procedure_version_id": version.id,
                "status": status,
                "parameters": {},
                "created_by": site.users["sam"],
                "created_at": created,
                "started_at": created + timedelta(minutes=5) if done else None,
                "started_by": operator if done else None,
                "completed_at": created + timedelta(hours=6) if decided else None,
                "decided_at": created + timedelta(days=2) if decided else None,
                "decided_by": site.users["quinn"] if decided else None,
                "decision_comment": None,
            }
        )
        all_steps = list(definition.steps())
        finished = len(all_steps) if status not in _OPEN else rng.randrange(len(all_steps))
        if status is BatchStatus.CREATED:
            finished = -1
        for position, step in enumerate(all_steps):
            state = (
                StepStatus.COMPLETED
                if position < finished
                else StepStatus.ACTIVE
                if position == finished
                else StepStatus.PENDING
            )
            record_id = str(uuid.uuid4())
            at = created + timedelta(minutes=10 + 15 * position)
            steps.append(
                {
                    "id": record_id,
                    "batch_id": batch_id,
                    "step_id": step.id,
                    "operation_id": definition.operation_of(step.id).id,
                    "position": position,
                    "state": state,
                    "activated_at": at if state is not StepStatus.PENDING else None,
                    "completed_at": at if state is StepStatus.COMPLETED else None,
                    "completed_by": operator if state is StepStatus.COMPLETED else None,
                    "comment": None,
                }
            )
            if state is not StepStatus.COMPLETED:
                continue
            for field in step.inputs:
                values.append(
                    {
                        "id": str(uuid.uuid4()),
                        "step_record_id": record_id,
                        "name": field.name,
                        "value": _value(field.type, field.limits, rng),
                        "source": "manual",
                        "revision": 1,
                        "entered_by": operator,
                        "entered_at": at,
                        "reason": None,
                    }
                )
        if len(batches) >= CHUNK:
            yield batches, steps, values
            batches, steps, values = [], [], []
    if batches:
        yield batches, steps, values


_OPEN = (BatchStatus.IN_PROGRESS, BatchStatus.ON_HOLD)


async def _site(database: Database) -> Site:
    async with database.sessions()() as session:
        versions = (await session.scalars(select(ProcedureVersion))).all()
        parsed = [(version, library.definition_of(version)) for version in versions]
        users = {name: uid for uid, name in await session.execute(select(User.id, User.username))}
        materials = list((await session.scalars(select(Material.id))).all())
    return Site(parsed, users, materials)


async def fill(database: Database, batches: int, audit: int, seed: int = 7) -> dict[str, Any]:
    """Write the bulk rows; answer what the measured requests refer to."""
    rng = random.Random(seed)
    site = await _site(database)
    started = time.perf_counter()
    open_batches: list[str] = []
    some_batch = None
    for chunk, records, values in _batch_rows(site, batches, rng):
        async with database.sessions()() as session, session.begin():
            await session.execute(insert(Batch.__table__), chunk)
            await session.execute(insert(StepRecord.__table__), records)
            await session.execute(insert(StepValue.__table__), values)
            deviations = [_deviation(row, site, rng) for row in chunk if rng.random() < 0.02]
            if deviations:
                await session.execute(insert(Deviation.__table__), deviations)
        open_batches += [row["id"] for row in chunk if row["status"] in _OPEN]
        some_batch = chunk[len(chunk) // 2]["id"]
    await _lots(database, site, max(batches // 10, 10), rng)
    await _audit(database, site, audit, open_batches or [some_batch], rng)
    print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)
    return {"batch_id": (open_batches or [some_batch])[-1], "operator": "olivia"}


def _deviation(batch: dict[str, Any], site: Site, rng: random.Random) -> dict[str, Any]:
    decided = batch["decided_at"] is not None
    return {
        "id": str(uuid.uuid4()),
        "number": f"{batch['batch_number']}-DEV-001",
        "batch_id": batch["id"],
        "kind": "alert",
        "severity": rng.choice(["minor", "major"]),
        "status": "closed" if decided else "open",
        "title": "Value in its alert band",
        "detail": "recorded with a comment",
        "opened_by": batch["created_by"],
        "opened_at": batch["created_at"] + timedelta(hours=1),
        "blocking": False,
        "capa": [],
    }


async def _lots(database: Database, site: Site, count: int, rng: random.Random) -> None:
    span = (datetime.now(UTC) - START).total_seconds()
    rows = [
        {
            "id": str(uuid.uuid4()),
            "lot_number": f"BL-{n:07d}",
            "material_id": site.materials[n % len(site.materials)],
            "supplier": "Bench Supplies",
            "supplier_lot": f"S{n}",
            "expiry": date(2022, 1, 1) + timedelta(days=n * 2000 // count),
            "retest_date": None,
            "status": rng.choice(["released", "released", "released", "quarantine", "rejected"]),
            "quantity": Decimal("25.0"),
            "unit": "kg",
            "received_at": START + timedelta(seconds=span * n / count),
            "received_by": site.users["sam"],
        }
        for n in range(count)
    ]
    async with database.sessions()() as session, session.begin():
        for start in range(0, len(rows), CHUNK):
            await session.execute(insert(Lot.__table__), rows[start : start + CHUNK])


async def _audit(
    database: Database, site: Site, count: int, batch_ids: list[str], rng: random.Random
) -> None:
    """Entries of the legacy chain (no chain name): the lists never verify hashes."""
    async with database.sessions()() as session:
        first = int(await session.scalar(select(func.max(AuditEntry.seq))) or 0) + 1
    span = (datetime.now(UTC) - START).total_seconds()
    users = list(site.users.items())
    for start in range(0, count, CHUNK * 4):
        rows = []
        for n in range(start, min(count, start + CHUNK * 4)):
            name, uid = users[n % len(users)]
            batch = batch_ids[n % len(batch_ids)] if n % 3 else None
            rows.append(
                {
                    "seq": first + n,
                    "at": START + timedelta(seconds=span * n / count),
                    "actor_id": uid,
                    "actor": f"{name} ({name.title()})",
                    "action": ACTIONS[n % len(ACTIONS)],
                    "entity_type": "batch" if batch else "lot",
                    "entity_id": batch or f"BL-{n:07d}",
                    "batch_id": batch,
                    "old": None,
                    "new": '{"value":1}',
                    "reason": None,
                    "prev_hash": "0" * 64,
                    "hash": f"{n:064x}",
                    "chain": None,
                    "chain_seq": None,
                }
            )
        async with database.sessions()() as session, session.begin():
            await session.execute(insert(AuditEntry.__table__), rows)
    if database.is_postgres:
        async with database.sessions()() as session, session.begin():
            await session.execute(text(f"SELECT setval('audit_entry_seq', {first + count})"))


def cases(refs: dict[str, Any]) -> list[tuple[str, str]]:
    batch = refs["batch_id"]
    return [
        ("batches", "/batches"),
        ("batches status=in_progress,created", "/batches?status=in_progress,created"),
        ("batches status=released", "/batches?status=released"),
        ("batches procedure=", "/batches?procedure=stw101-compression"),
        ("batches product=", "/batches?product=STW-101 25 mg film-coated tablets"),
        ("batches batch_number= prefix", "/batches?batch_number=COMP-00012"),
        ("batches created range", "/batches?created_from=2023-01-01&created_before=2023-02-01"),
        ("batches operator=", "/batches?operator=olivia"),
        ("batches open_deviations=true", "/batches?open_deviations=true"),
        ("lots", "/lots"),
        ("lots status=quarantine", "/lots?status=quarantine"),
        ("lots expiry_before=", "/lots?expiry_before=2023-01-01"),
        ("lots lot_number= prefix", "/lots?lot_number=bl-00001"),
        ("audit", "/audit"),
        ("audit batch_id=", f"/audit?batch_id={batch}"),
        ("audit actor=", "/audit?actor=olivia"),
        ("audit action=", "/audit?action=lot.released"),
        ("audit time range", "/audit?from=2024-03-01&before=2024-03-02"),
        ("batch audit", f"/batches/{batch}/audit"),
        ("deviations status=open", "/deviations?status=open"),
        ("procedures", "/procedures"),
        ("materials", "/materials"),
        ("equipment", "/equipment"),
        ("batch view (one batch)", f"/batches/{batch}"),
    ]


async def measure(
    database_url: str, data_dir: Path, refs: dict[str, Any], repeat: int, pages: int
) -> dict[str, list[float]]:
    settings = Settings(data_dir=data_dir, database_url=database_url)
    server = TestServer(create_app(settings))
    await server.start_server()
    timings: dict[str, list[float]] = {}
    try:
        async with aiohttp.ClientSession(str(server.make_url(""))) as http:
            login = {"username": "quinn", "password": PASSWORDS["quinn"]}
            async with http.post("/api/v1/auth/login", json=login) as answer:
                token = (await answer.json())["token"]
            headers = {"Authorization": f"Bearer {token}"}
            for name, path in cases(refs):
                samples: list[float] = []
                async with http.get("/api/v1" + path, headers=headers) as answer:
                    await answer.read()  # warm-up: parsed definitions, prepared statements
                for _ in range(repeat):
                    following: str | None = "/api/v1" + path
                    for _page in range(pages):
                        if following is None:
                            break
                        began = time.perf_counter()
                        async with http.get(following, headers=headers) as answer:
                            await answer.read()
                            if answer.status != 200:
                                raise SystemExit(f"{path}: {answer.status} {await answer.text()}")
                            link = answer.links.get("next")
                        samples.append((time.perf_counter() - began) * 1000)
                        following = str(link["url"]) if link else None
                timings[name] = samples
    finally:
        await server.close()
    return timings


async def _fresh_pg(base: str) -> tuple[str, str]:
    name = f"stepwise_bench_lists_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(base)
    try:
        await connection.execute(f"CREATE DATABASE {name}")
    finally:
        await connection.close()
    url = make_url(base).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False), name


async def _drop_pg(base: str, name: str) -> None:
    connection = await asyncpg.connect(base)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await connection.close()


async def run(backend: str, args: argparse.Namespace, batches: int, audit: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="stepwise-bench-lists-"))
    pg_name = None
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    else:
        url, pg_name = await _fresh_pg(args.pg_url)
    try:
        await upgrade(url)
        database = open_database(url)
        try:
            await seed_demo(database, Settings(data_dir=folder, database_url=url))
            print(f"{backend}: filling {batches:,} batches, {audit:,} audit entries", flush=True)
            refs = await fill(database, batches, audit)
            async with database.sessions()() as session, session.begin():
                await session.execute(text("ANALYZE"))
        finally:
            await database.dispose()
        return await measure(url, folder, refs, args.repeat, args.pages)
    finally:
        if pg_name is not None:
            await _drop_pg(args.pg_url, pg_name)


def report(title: str, timings: dict[str, list[float]]) -> None:
    print(f"\n{title}")
    print(f"  {'list / filter':40} {'pages':>6} {'p50 ms':>8} {'p99 ms':>8}")
    for name, samples in timings.items():
        ordered = sorted(samples)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        flag = "" if p99 < TARGET_MS else "  over target"
        print(f"  {name:40} {len(samples):>6} {statistics.median(samples):>8.1f} {p99:>8.1f}{flag}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=100_000)
    parser.add_argument("--audit", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=1_000, help="the comparison's batches")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    parser.add_argument("--repeat", type=int, default=10, help="walks of each list")
    parser.add_argument("--pages", type=int, default=5, help="pages per walk")
    args = parser.parse_args()
    with open("/proc/loadavg") as load:
        print(f"load average: {load.read().split()[0]} on this machine", flush=True)
    for backend in args.backends.split(","):
        for batches, audit in ((args.small, args.small * 10), (args.batches, args.audit)):
            timings = asyncio.run(run(backend, args, batches, audit))
            report(f"{backend}, {batches:,} batches, {audit:,} audit entries", timings)
    sys.stdout.flush()


if __name__ == "__main__":
    main()

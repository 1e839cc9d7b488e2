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
    .venv/bin/python bench/lists.py --keep /tmp/lists   # fill once, measure again later
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from procedures.model import Procedure as Definition
from procedures.states import BatchStatus
from server.audit.models import AuditEntry
from server.auth.models import User
from server.batches.listing import KEYSET
from server.cli.serve import serving_app
from server.config import Settings
from server.db.engine import Database, open_database
from server.db.migrate import upgrade
from server.db.paging import encode_cursor
from server.demo import DEMO_USERS, seed_demo
from server.library import service as library
from server.library.models import ProcedureVersion
from server.materials.models import Material

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
class Step:
    """What a bulk step record needs of a procedure step: ids and inputs."""

    id: str
    operation: str
    inputs: list[tuple[str, str, Any]]


@dataclass(frozen=True)
class Site:
    """What the bulk rows refer to."""

    versions: list[tuple[ProcedureVersion, Definition, list[Step]]]
    users: dict[str, str]
    materials: list[str]


class Bulk:
    """Rows written straight into a table: COPY on PostgreSQL, executemany on SQLite.

    Rows come as tuples in the order of `columns`, their times and JSON already in the
    backend's own form (`at`, `json`), as SQLAlchemy's column types would store them."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.postgres = self.url.get_backend_name() == "postgresql"
        self._pg: asyncpg.Connection | None = None
        self._sqlite: sqlite3.Connection | None = None

    async def __aenter__(self) -> Bulk:
        if self.postgres:
            dsn = self.url.set(drivername="postgresql").render_as_string(hide_password=False)
            self._pg = await asyncpg.connect(dsn)
        else:
            self._sqlite = sqlite3.connect(str(self.url.database), isolation_level=None)
            self._sqlite.execute("PRAGMA synchronous=OFF")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._pg is not None:
            await self._pg.close()
        if self._sqlite is not None:
            self._sqlite.close()

    def at(self, moment: datetime | None) -> Any:
        if moment is None or self.postgres:
            return moment
        return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

    def day(self, moment: date) -> Any:
        return moment if self.postgres else moment.isoformat()

    @staticmethod
    def json(document: Any) -> str:
        return json.dumps(document, separators=(",", ":"))

    async def write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        if self._pg is not None:
            await self._pg.copy_records_to_table(table, records=rows, columns=list(columns))
            return
        assert self._sqlite is not None
        marks = ",".join("?" * len(columns))
        self._sqlite.execute("BEGIN")
        self._sqlite.executemany(
            f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows
        )
        self._sqlite.execute("COMMIT")


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


BATCH_COLUMNS = (
    "id",
    "batch_number",
    "procedure_version_id",
    "status",
    "parameters",
    "created_by",
    "created_at",
    "started_at",
    "started_by",
    "completed_at",
    "decided_at",
    "decided_by",
)
STEP_COLUMNS = (
    "id",
    "batch_id",
    "step_id",
    "operation_id",
    "position",
    "state",
    "activated_at",
    "completed_at",
    "completed_by",
)
VALUE_COLUMNS = (
    "id",
    "step_record_id",
    "name",
    "value",
    "source",
    "revision",
    "entered_by",
    "entered_at",
)
OPERATOR_COLUMNS = ("user_id", "batch_id", "created_at")
DEVIATION_COLUMNS = (
    "id",
    "number",
    "batch_id",
    "kind",
    "severity",
    "status",
    "title",
    "detail",
    "opened_by",
    "opened_at",
    "blocking",
    "capa",
)


@dataclass
class Chunk:
    """Rows of some batches, for each table they go into."""

    batches: list[tuple] = field(default_factory=list)
    steps: list[tuple] = field(default_factory=list)
    values: list[tuple] = field(default_factory=list)
    operators: list[tuple] = field(default_factory=list)
    deviations: list[tuple] = field(default_factory=list)


def _batch_rows(site: Site, count: int, rng: random.Random, bulk: Bulk) -> Iterator[Chunk]:
    """Chunks of batches with their step records, values, operators and deviations, oldest
    batch first."""
    span = (datetime.now(UTC) - START).total_seconds()
    operators = [site.users["olivia"], site.users["omar"]]
    statuses = [status for status, _ in STATUS_MIX]
    weights = [weight for _, weight in STATUS_MIX]
    sam, quinn, empty = site.users["sam"], site.users["quinn"], bulk.json({})
    at, as_json = bulk.at, bulk.json
    chunk = Chunk()
    for n in range(count):
        version, definition, steps = site.versions[n % len(site.versions)]
        created = START + timedelta(seconds=span * n / count)
        status = rng.choices(statuses, weights)[0]
        if n >= count - 50:
            status = rng.choice([BatchStatus.IN_PROGRESS, BatchStatus.CREATED])
        operator = rng.choice(operators)
        batch_id = f"b{n:09d}"
        number = f"{definition.key.split('-')[-1][:4].upper()}-{n:07d}"
        decided = status in (BatchStatus.RELEASED, BatchStatus.REJECTED)
        started = status is not BatchStatus.CREATED
        chunk.batches.append(
            (
                batch_id,
                number,
                version.id,
                status.value,
                empty,
                sam,
                at(created),
                at(created + timedelta(minutes=5)) if started else None,
                operator if started else None,
                at(created + timedelta(hours=6)) if decided else None,
                at(created + timedelta(days=2)) if decided else None,
                quinn if decided else None,
            )
        )
        if started:
            chunk.operators.append((operator, batch_id, at(created)))
        finished = len(steps) if status not in _OPEN else rng.randrange(len(steps))
        if not started:
            finished = -1
        for position, step in enumerate(steps):
            record_id = f"{batch_id}-{position:03d}"
            moment = at(created + timedelta(minutes=10 + 15 * position))
            if position < finished:
                chunk.steps.append(
                    (
                        record_id,
                        batch_id,
                        step.id,
                        step.operation,
                        position,
                        "completed",
                        moment,
                        moment,
                        operator,
                    )
                )
                for index, (name, kind, limits) in enumerate(step.inputs):
                    chunk.values.append(
                        (
                            f"{record_id}-{index}",
                            record_id,
                            name,
                            as_json(_value(kind, limits, rng)),
                            "manual",
                            1,
                            operator,
                            moment,
                        )
                    )
            else:
                state = "active" if position == finished else "pending"
                active = moment if position == finished else None
                row = (record_id, batch_id, step.id, step.operation, position, state, active)
                chunk.steps.append((*row, None, None))
        if rng.random() < 0.02:
            chunk.deviations.append(
                (
                    f"{batch_id}-dev",
                    f"{number}-DEV-001",
                    batch_id,
                    "alert",
                    rng.choice(["minor", "major"]),
                    "closed" if decided else "open",
                    "Value in its alert band",
                    "recorded with a comment",
                    sam,
                    at(created + timedelta(hours=1)),
                    False,
                    as_json([]),
                )
            )
        if len(chunk.batches) >= CHUNK:
            yield chunk
            chunk = Chunk()
    if chunk.batches:
        yield chunk


_OPEN = (BatchStatus.IN_PROGRESS, BatchStatus.ON_HOLD)


def _steps(definition: Definition) -> list[Step]:
    return [
        Step(
            step.id,
            definition.operation_of(step.id).id,
            [(field.name, field.type, field.limits) for field in step.inputs],
        )
        for step in definition.steps()
    ]


async def _site(database: Database) -> Site:
    async with database.sessions()() as session:
        versions = (await session.scalars(select(ProcedureVersion))).all()
        parsed = []
        for version in versions:
            definition = library.definition_of(version)
            parsed.append((version, definition, _steps(definition)))
        users = {name: uid for uid, name in await session.execute(select(User.id, User.username))}
        materials = list((await session.scalars(select(Material.id))).all())
    return Site(parsed, users, materials)


async def fill(
    database: Database, url: str, batches: int, audit: int, seed: int = 7
) -> dict[str, Any]:
    """Write the bulk rows; answer what the measured requests refer to."""
    rng = random.Random(seed)
    site = await _site(database)
    async with database.sessions()() as session:
        first_seq = int(await session.scalar(select(func.max(AuditEntry.seq))) or 0) + 1
    started = time.perf_counter()
    open_batches: list[str] = []
    some_batch = None
    middle: tuple[str, Any] | None = None
    async with Bulk(url) as bulk:
        for chunk in _batch_rows(site, batches, rng, bulk):
            await bulk.write("batches", BATCH_COLUMNS, chunk.batches)
            await bulk.write("step_records", STEP_COLUMNS, chunk.steps)
            await bulk.write("step_values", VALUE_COLUMNS, chunk.values)
            await bulk.write("batch_operators", OPERATOR_COLUMNS, chunk.operators)
            await bulk.write("deviations", DEVIATION_COLUMNS, chunk.deviations)
            open_batches += [row[0] for row in chunk.batches if row[3] in _OPEN]
            some_batch = chunk.batches[len(chunk.batches) // 2][0]
            if middle is None and int(chunk.batches[-1][0][1:]) >= batches // 2:
                middle = (chunk.batches[-1][0], chunk.batches[-1][6])  # id, created_at
        await _lots(bulk, site, max(batches // 10, 10), rng)
        targets = open_batches or [some_batch]
        await _audit(bulk, site, first_seq, audit, targets)
    if database.is_postgres:
        async with database.sessions()() as session, session.begin():
            await session.execute(text(f"SELECT setval('audit_entry_seq', {first_seq + audit})"))
    print(f"  filled in {time.perf_counter() - started:.0f} s", flush=True)
    assert middle is not None
    batch_id, created = middle
    created = created if isinstance(created, datetime) else datetime.fromisoformat(created)
    half_way = encode_cursor(KEYSET, [created.replace(tzinfo=UTC), batch_id])
    return {"batch_id": (open_batches or [some_batch])[-1], "half_way": half_way}


LOT_COLUMNS = (
    "id",
    "lot_number",
    "material_id",
    "supplier",
    "supplier_lot",
    "expiry",
    "status",
    "quantity",
    "unit",
    "received_at",
    "received_by",
)


async def _lots(bulk: Bulk, site: Site, count: int, rng: random.Random) -> None:
    span = (datetime.now(UTC) - START).total_seconds()
    rows = [
        (
            f"bench-lot-{n:010d}",
            f"BL-{n:07d}",
            site.materials[n % len(site.materials)],
            "Bench Supplies",
            f"S{n}",
            bulk.day(date(2022, 1, 1) + timedelta(days=n * 2000 // count)),
            rng.choice(["released", "released", "released", "quarantine", "rejected"]),
            "25.0",
            "kg",
            bulk.at(START + timedelta(seconds=span * n / count)),
            site.users["sam"],
        )
        for n in range(count)
    ]
    for start in range(0, len(rows), CHUNK):
        await bulk.write("lots", LOT_COLUMNS, rows[start : start + CHUNK])


AUDIT_COLUMNS = (
    "seq",
    "at",
    "actor_id",
    "actor",
    "action",
    "entity_type",
    "entity_id",
    "batch_id",
    "new",
    "prev_hash",
    "hash",
)


async def _audit(bulk: Bulk, site: Site, first: int, count: int, batch_ids: list[str]) -> None:
    """Entries of the legacy chain (no chain name): the lists never verify hashes."""
    span = (datetime.now(UTC) - START).total_seconds()
    users = [(uid, f"{name} ({name.title()})") for name, uid in site.users.items()]
    for start in range(0, count, CHUNK * 4):
        rows = []
        for n in range(start, min(count, start + CHUNK * 4)):
            uid, actor = users[n % len(users)]
            batch = batch_ids[n % len(batch_ids)] if n % 3 else None
            rows.append(
                (
                    first + n,
                    bulk.at(START + timedelta(seconds=span * n / count)),
                    uid,
                    actor,
                    ACTIONS[n % len(ACTIONS)],
                    "batch" if batch else "lot",
                    batch or f"BL-{n:07d}",
                    batch,
                    '{"value":1}',
                    "0" * 64,
                    f"{n:064x}",
                )
            )
        await bulk.write("audit_entries", AUDIT_COLUMNS, rows)


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
        ("batches, half-way through", f"/batches?cursor={refs['half_way']}"),
        ("batches operator=, half-way", f"/batches?operator=olivia&cursor={refs['half_way']}"),
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
    server = TestServer(serving_app(settings, migrate=False))  # what `stepwise serve` runs
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


async def _pg_database(base: str, name: str) -> str:
    """The URL of database `name` on the server of `base`, created if it does not exist."""
    connection = await asyncpg.connect(base)
    try:
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await connection.execute(f"CREATE DATABASE {name}")
    finally:
        await connection.close()
    url = make_url(base).set(drivername="postgresql+asyncpg", database=name)
    return url.render_as_string(hide_password=False)


async def _drop_pg(base: str, name: str) -> None:
    connection = await asyncpg.connect(base)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await connection.close()


async def _fill_new(url: str, folder: Path, batches: int, audit: int) -> dict[str, Any]:
    """Migrate, seed and fill a new database; answer what the measure refers to."""
    await upgrade(url)
    database = open_database(url)
    try:
        await seed_demo(database, Settings(data_dir=folder, database_url=url))
        print(f"filling {batches:,} batches, {audit:,} audit entries", flush=True)
        refs = await fill(database, url, batches, audit)
        async with database.sessions()() as session, session.begin():
            await session.execute(text("ANALYZE"))
    finally:
        await database.dispose()
    return refs


async def run(backend: str, args: argparse.Namespace, batches: int, audit: int) -> dict:
    """Fill a database of this size and measure it. With `--keep`, the filled database is
    kept under its folder (PostgreSQL: a database named by the size) and a later run with
    the same `--keep` measures it again without filling."""
    print(f"{backend}, {batches:,} batches:", flush=True)
    if args.keep:
        folder = Path(args.keep) / f"{backend}-{batches}-{audit}"
        folder.mkdir(parents=True, exist_ok=True)
        kept = folder / "refs.json"
        if backend == "sqlite":
            url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        else:
            url = await _pg_database(args.pg_url, f"stepwise_bench_lists_{batches}_{audit}")
        if not kept.exists():
            kept.write_text(json.dumps(await _fill_new(url, folder, batches, audit)))
        return await measure(url, folder, json.loads(kept.read_text()), args.repeat, args.pages)
    folder = Path(tempfile.mkdtemp(prefix="stepwise-bench-lists-"))
    pg_name = None
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    else:
        pg_name = f"stepwise_bench_lists_{uuid.uuid4().hex[:8]}"
        url = await _pg_database(args.pg_url, pg_name)
    try:
        refs = await _fill_new(url, folder, batches, audit)
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
    parser.add_argument(
        "--keep", metavar="DIR", help="keep the filled databases under DIR; measure them again"
    )
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

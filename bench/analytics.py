"""Analytics at scale: 1,000 batches x 50 recorded numbers. First the statistics alone over
a table built in memory; then, with a database (a temporary SQLite file, or --pg-url), the
whole answer as the endpoint computes it: read the table, then the table JSON, one trend and
the drivers ranking. Run: `.venv/bin/python bench/analytics.py [--batches N --parameters P]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from procedures.model import Limits
from server.analytics import queries, service
from server.analytics.table import BatchRow, BatchTable, Column
from server.audit import service as audit
from server.auth import service as auth
from server.batches.models import Batch, StepRecord, StepValue
from server.db.engine import open_database
from server.db.migrate import upgrade
from server.ids import new_id
from server.library import service as library


def synthetic_table(batches: int, parameters: int, seed: int = 1) -> BatchTable:
    """`parameters` normal parameters, the first of which drives one outcome."""
    rng = random.Random(seed)
    columns = [
        Column(f"p{j:02d}", f"Parameter {j}", "u", "parameter", "input", "s", None)
        for j in range(parameters)
    ]
    limits = Limits(min=90.0, alert_min=95.0, alert_max=100.0, max=101.0)
    columns.append(Column("yield_pct", "Yield", "%", "outcome", "calculation", "s", limits))
    start, rows = datetime(2025, 1, 1, tzinfo=UTC), []
    for i in range(batches):
        values = {f"p{j:02d}": rng.gauss(10, 1) for j in range(parameters)}
        values["yield_pct"] = 97.5 + 0.8 * (values["p00"] - 10) + rng.gauss(0, 0.4)
        moment = start + timedelta(hours=i)
        rows.append(BatchRow(f"id{i}", f"B{i:05d}", 1, "released", moment, moment, None, 0, values))
    return BatchTable("bench", "Bench", "closed", columns, rows)


def _procedure_source(parameters: int) -> str:
    """One data-entry step with the parameters, one calculation step with the cqa outcome."""
    inputs = "\n".join(
        f"          - {{name: p{j:02d}, label: Parameter {j}, type: number, unit: u}}"
        for j in range(parameters)
    )
    return f"""key: bench-analytics
title: Analytics bench
operations:
  - id: run
    title: Run
    steps:
      - id: settings
        title: Settings
        kind: data_entry
        inputs:
{inputs}
      - id: result
        title: Result
        kind: calculation
        inputs:
          - {{name: output_kg, label: Output, type: number, unit: kg}}
        calculations:
          - {{name: yield_pct, label: Yield, expression: output_kg / 12 * 100, unit: "%", cqa: true,
             limits: {{min: 90, alert_min: 95, alert_max: 100, max: 101}}}}
"""


async def _fill(url: str, table: BatchTable, parameters: int) -> None:
    """Store the synthetic table as batches of a draft procedure, by bulk insert (a bench:
    no audit trail for the rows)."""
    await upgrade(url)
    database = open_database(url)
    try:
        async with database.sessions()() as session, session.begin():
            user = await auth.create_user(
                session,
                audit.SYSTEM,
                username="bench",
                full_name="Bench",
                roles=["operator"],
                password="bench-analytics-1",
            )
            version = await library.load_draft(
                session, None, _procedure_source(parameters), "bench.yaml"
            )
            batches, steps, values = [], [], []
            for row in table.rows:
                batch_id = new_id()
                batches.append(
                    {
                        "id": batch_id,
                        "batch_number": row.batch_number,
                        "procedure_version_id": version.id,
                        "status": "released",
                        "parameters": {},
                        "created_by": user.id,
                        "created_at": row.created_at,
                        "completed_at": row.completed_at,
                    }
                )
                for position, (step_id, names) in enumerate(
                    (
                        ("settings", [f"p{j:02d}" for j in range(parameters)]),
                        ("result", ["output_kg", "yield_pct"]),
                    )
                ):
                    record_id = new_id()
                    steps.append(
                        {
                            "id": record_id,
                            "batch_id": batch_id,
                            "step_id": step_id,
                            "operation_id": "run",
                            "position": position,
                            "state": "completed",
                        }
                    )
                    for name in names:
                        value = row.values.get(name, row.values["yield_pct"] * 0.12)
                        values.append(
                            {
                                "id": new_id(),
                                "step_record_id": record_id,
                                "name": name,
                                "value": value,
                                "source": "entered",
                                "revision": 1,
                                "entered_by": user.id,
                                "entered_at": row.created_at,
                            }
                        )
            await session.execute(insert(Batch), batches)
            await session.execute(insert(StepRecord), steps)
            await session.execute(insert(StepValue), values)
    finally:
        await database.dispose()


async def _read(url: str) -> BatchTable:
    database = open_database(url)
    try:
        async with database.sessions(readonly=True)() as session, session.begin():
            return await queries.batch_table(session, "bench-analytics")
    finally:
        await database.dispose()


def _timed(name: str, work: Callable[[], Any]) -> Any:
    began, cpu = time.perf_counter(), time.process_time()
    answer = work()
    elapsed, used = time.perf_counter() - began, time.process_time() - cpu
    print(f"{name:<28} {elapsed * 1000:8.1f} ms wall {used * 1000:8.1f} ms CPU", flush=True)
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=1000)
    parser.add_argument("--parameters", type=int, default=50)
    parser.add_argument("--pg-url", help="an empty PostgreSQL database instead of SQLite")
    args = parser.parse_args()
    table = synthetic_table(args.batches, args.parameters)
    print(f"{args.batches} batches x {args.parameters} parameters + 1 outcome")
    print("statistics over a table in memory:")
    for name, work in (
        ("  table (JSON)", lambda: json.dumps(service.table_answer(table, "json").json)),
        ("  table (CSV)", lambda: service.table_answer(table, "csv")),
        ("  trend", lambda: service.trend_answer(table, "yield_pct", "json")),
        ("  drivers", lambda: service.drivers_answer(table, "yield_pct", "json")),
        ("  trend chart (PNG)", lambda: service.trend_answer(table, "yield_pct", "png")),
    ):
        _timed(name, work)
    with tempfile.TemporaryDirectory() as folder:
        url = args.pg_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        asyncio.run(_fill(url, table, args.parameters))
        print(f"as the endpoints answer ({url.split(':')[0]}): read, then compute")
        for name, answer in (
            ("table (JSON)", lambda t: json.dumps(service.table_answer(t, "json").json)),
            ("trend", lambda t: service.trend_answer(t, "yield_pct", "json")),
            ("drivers", lambda t: service.drivers_answer(t, "yield_pct", "json")),
        ):
            began = time.perf_counter()
            read = _timed(f"  read the table for {name}", lambda: asyncio.run(_read(url)))
            found = _timed(f"  {name}", lambda read=read, answer=answer: answer(read))
            total = (time.perf_counter() - began) * 1000
            print(f"  {name + ' in all':<26} {total:8.1f} ms wall", flush=True)
            if name == "drivers":
                assert isinstance(found, service.Answer) and found.json is not None
                print(f"  top driver: {found.json['drivers'][0]['parameter']} (planted: p00)")


if __name__ == "__main__":
    main()

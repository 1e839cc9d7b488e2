"""Analytics at scale: 1,000 batches x 50 recorded numbers, the table, one trend and the
drivers ranking each timed (the statistics only: the table is built in memory as the query
module builds it). Run: `.venv/bin/python bench/analytics.py [--batches N --parameters P]`."""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta

from procedures.model import Limits
from server.analytics import service
from server.analytics.table import BatchRow, BatchTable, Column


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=1000)
    parser.add_argument("--parameters", type=int, default=50)
    args = parser.parse_args()
    table = synthetic_table(args.batches, args.parameters)
    print(f"{args.batches} batches x {args.parameters} parameters + 1 outcome")
    for name, work in (
        ("table (JSON)", lambda: service.table_answer(table, "json")),
        ("table (CSV)", lambda: service.table_answer(table, "csv")),
        ("trend", lambda: service.trend_answer(table, "yield_pct", "json")),
        ("drivers", lambda: service.drivers_answer(table, "yield_pct", "json")),
        ("trend chart (PNG)", lambda: service.trend_answer(table, "yield_pct", "png")),
    ):
        began, cpu = time.perf_counter(), time.process_time()
        answer = work()
        elapsed, used = time.perf_counter() - began, time.process_time() - cpu
        print(f"{name:<20} {elapsed * 1000:8.1f} ms wall {used * 1000:8.1f} ms CPU", flush=True)
        if name == "drivers":
            assert answer.json is not None
            print(f"{'':<20} top driver: {answer.json['drivers'][0]['parameter']}")


if __name__ == "__main__":
    main()

"""The control chart, Nelson rules, capability and drivers on tables built in memory."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np

from procedures.model import Limits
from server.analytics.drivers import drivers_of
from server.analytics.table import BatchRow, BatchTable, Column
from server.analytics.trend import CAPABILITY_MIN_BATCHES, nelson_rules, trend_of

SPEC = Limits(min=90.0, alert_min=95.0, alert_max=100.0, max=101.0)
OUTCOME = Column("yield_pct", "Yield", "%", "outcome", "calculation", "s", SPEC, frozenset({"w"}))


def _table(rows: list[dict[str, float]], columns: list[Column]) -> BatchTable:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    batches = [
        BatchRow(
            f"id{i}", f"B{i:03d}", 1, "released", start + timedelta(days=i), None, None, 0, row
        )
        for i, row in enumerate(rows)
    ]
    return BatchTable("p", "P", "closed", columns, batches)


def _parameter(name: str) -> Column:
    return Column(name, name, "u", "parameter", "input", "s", None)


def test_a_point_beyond_three_sigma_trips_rule_one_only_there() -> None:
    values = np.array([10.0, 10.2, 9.8, 10.1, 9.9, 14.0, 10.0, 10.1])

    rules = nelson_rules(values, 10.0, 0.2)

    assert [i for i, fired in enumerate(rules) if 1 in fired] == [5]


def test_a_steady_rise_trips_rule_three_and_a_shift_rule_two() -> None:
    rising = nelson_rules(np.arange(7.0), 3.0, 10.0)
    shifted = nelson_rules(np.array([1.0] * 9 + [-1.0]), 0.0, 5.0)

    assert all(3 in fired for fired in rising)
    assert [2 in fired for fired in shifted] == [True] * 9 + [False]


def test_capability_needs_two_sided_limits_and_enough_batches() -> None:
    rng = random.Random(2)
    few = _table([{"yield_pct": rng.gauss(97.5, 0.5)} for _ in range(5)], [OUTCOME])
    many = _table([{"yield_pct": rng.gauss(97.5, 0.5)} for _ in range(40)], [OUTCOME])
    one_sided = Column("lod", "LOD", "%", "outcome", "input", "s", Limits(min=0.5))

    assert trend_of(few, OUTCOME).capability["cpk"] is None
    assert str(CAPABILITY_MIN_BATCHES) in trend_of(few, OUTCOME).capability["message"]
    assert trend_of(many, OUTCOME).capability["cpk"] > 1.33
    unsided = trend_of(_table([{"lod": 1.0}] * 30, [one_sided]), one_sided).capability
    assert unsided["cpk"] is None and "two-sided" in unsided["message"]


def test_drivers_find_the_effect_and_leave_out_the_outcomes_own_inputs() -> None:
    rng = random.Random(7)
    columns = [_parameter(name) for name in ("w", "power", "noise_a", "noise_b")] + [OUTCOME]
    rows = []
    for _ in range(40):
        row = {"power": rng.gauss(5, 0.3), "noise_a": rng.gauss(0, 1), "noise_b": rng.gauss(0, 1)}
        row["yield_pct"] = 97 + 2 * (row["power"] - 5) + rng.gauss(0, 0.2)
        row["w"] = row["yield_pct"] / 100 * 12
        rows.append(row)

    found = drivers_of(_table(rows, columns), OUTCOME)

    assert found.drivers[0].column.name == "power"
    assert "w" not in [driver.column.name for driver in found.drivers]
    assert [d.significant for d in found.drivers if d.column.name.startswith("noise")] == [
        False,
        False,
    ]
    assert found.model is not None and found.drivers[0].coefficient > 0


def test_too_few_batches_rank_nothing_and_say_so() -> None:
    rows = [{"power": float(i), "yield_pct": 97.0 + i} for i in range(5)]

    found = drivers_of(_table(rows, [_parameter("power"), OUTCOME]), OUTCOME)

    assert found.drivers == [] and found.model is None
    assert "at least 8" in found.messages[0]


def test_an_outcome_that_never_varies_is_answered_in_words() -> None:
    rows = [{"power": float(i % 5), "yield_pct": 97.0} for i in range(20)]

    found = drivers_of(_table(rows, [_parameter("power"), OUTCOME]), OUTCOME)
    trend = trend_of(_table(rows, [OUTCOME]), OUTCOME)

    assert found.model is None and "same yield_pct" in found.messages[0]
    assert found.drivers[0].r is None and not found.drivers[0].significant
    assert trend.capability["cpk"] is None and "same value" in trend.capability["message"]

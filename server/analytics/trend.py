"""The individuals control chart of one recorded number: limits from the moving range,
the Nelson rules each point trips, and process capability against the specification.

Pure numpy. Sigma within (for the chart and Cpk) is the mean moving range over d2 = 1.128
(the bias constant for ranges of two); sigma overall (for Ppk) is the sample standard
deviation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from server.analytics.table import BatchTable, Column

D2_RANGES_OF_TWO = 1.128
# Below this many batches a capability index is too uncertain to quote (its 95 % interval
# spans more than ±0.3 around a Cpk of 1.33).
CAPABILITY_MIN_BATCHES = 20
CONTROL_MIN_POINTS = 3

NELSON_RULES: dict[int, str] = {
    1: "one point beyond 3 sigma from the mean",
    2: "nine points in a row on the same side of the mean",
    3: "six points in a row steadily increasing or decreasing",
    4: "fourteen points in a row alternating up and down",
    5: "two of three points in a row beyond 2 sigma on the same side",
    6: "four of five points in a row beyond 1 sigma on the same side",
    7: "fifteen points in a row within 1 sigma of the mean",
    8: "eight points in a row beyond 1 sigma, on either side",
}


@dataclass(frozen=True)
class Trend:
    """What the trend endpoint answers, as JSON (`to_json`) and drawn (`charts`)."""

    key: str
    column: Column
    batches: list[dict[str, Any]]
    values: np.ndarray
    rules: list[list[int]]
    mean: float | None
    sigma_within: float | None
    sigma_overall: float | None
    capability: dict[str, Any]

    @property
    def control_limits(self) -> tuple[float, float] | None:
        if self.mean is None or self.sigma_within is None:
            return None
        return self.mean - 3 * self.sigma_within, self.mean + 3 * self.sigma_within

    def to_json(self) -> dict[str, Any]:
        limits = self.control_limits
        fired = {
            rule: [self.batches[i]["batch_number"] for i, r in enumerate(self.rules) if rule in r]
            for rule in NELSON_RULES
        }
        return {
            "procedure": self.key,
            "parameter": self.column.to_json(),
            "points": [
                {
                    **batch,
                    "value": float(value),
                    "moving_range": _moving_range(self.values, i),
                    "rules": rules,
                }
                for i, (batch, value, rules) in enumerate(
                    zip(self.batches, self.values, self.rules, strict=True)
                )
            ],
            "limits": self.column.to_json()["limits"],
            "mean": self.mean,
            "sigma_within": self.sigma_within,
            "sigma_overall": self.sigma_overall,
            "lcl": None if limits is None else limits[0],
            "ucl": None if limits is None else limits[1],
            "rules_fired": [
                {"rule": rule, "description": NELSON_RULES[rule], "batches": numbers}
                for rule, numbers in fired.items()
                if numbers
            ],
            "capability": self.capability,
        }


def trend_of(table: BatchTable, column: Column) -> Trend:
    """The control chart of `column` over the table's batches, in batch order."""
    series = table.series(column.name)
    values = np.array([value for _, value in series], dtype=float)
    batches = [
        {
            "batch_id": row.batch_id,
            "batch_number": row.batch_number,
            "version": row.version,
            "status": row.status,
        }
        for row, _ in series
    ]
    if len(values) < CONTROL_MIN_POINTS:
        return Trend(
            table.key,
            column,
            batches,
            values,
            [[] for _ in values],
            None,
            None,
            None,
            _capability(column, values, None, None),
        )
    mean = float(values.mean())
    sigma_within = float(np.abs(np.diff(values)).mean() / D2_RANGES_OF_TWO)
    sigma_overall = float(values.std(ddof=1))
    rules = nelson_rules(values, mean, sigma_within)
    return Trend(
        table.key,
        column,
        batches,
        values,
        rules,
        mean,
        sigma_within,
        sigma_overall,
        _capability(column, values, sigma_within, sigma_overall),
    )


def nelson_rules(values: np.ndarray, mean: float, sigma: float) -> list[list[int]]:
    """For each point, the Nelson rules (1 to 8) of a run that the point belongs to."""
    n = len(values)
    if sigma <= 0 or n == 0:
        return [[] for _ in range(n)]
    z = (values - mean) / sigma
    side = np.sign(z)
    steps = np.sign(np.diff(values))
    marks = np.zeros((9, n), dtype=bool)
    marks[1] = np.abs(z) > 3
    # Runs: every window of the rule's length that qualifies marks all its points.
    marks[2] = _in_runs(_all_equal(side, 9) & (side[: max(n - 8, 0)] != 0), 9, n)
    rising = _all_equal(steps, 6) & (steps[: max(n - 6, 0)] != 0)
    marks[3] = _in_runs(rising, 7, n)
    alternating = steps[1:] * steps[:-1] < 0 if n > 2 else np.zeros(0, dtype=bool)
    marks[4] = _in_runs(_windows(alternating, 13).all(axis=1), 15, n)
    marks[7] = _in_runs(_windows(np.abs(z) < 1, 15).all(axis=1), 15, n)
    marks[8] = _in_runs(_windows(np.abs(z) > 1, 8).all(axis=1), 8, n)
    # k of w beyond a band on one side: the points beyond it, in a qualifying window.
    for rule, width, count, band in ((5, 3, 2, 2.0), (6, 5, 4, 1.0)):
        for beyond in (z > band, z < -band):
            qualifying = _windows(beyond, width).sum(axis=1) >= count
            marks[rule] |= _in_runs(qualifying, width, n) & beyond
    return [[rule for rule in range(1, 9) if marks[rule, i]] for i in range(n)]


def _windows(flags: np.ndarray, width: int) -> np.ndarray:
    if len(flags) < width:
        return np.zeros((0, width), dtype=flags.dtype)
    return np.lib.stride_tricks.sliding_window_view(flags, width)


def _all_equal(series: np.ndarray, width: int) -> np.ndarray:
    """For each window start, whether the `width` values from there are all equal."""
    windows = _windows(series, width)
    return (windows == windows[:, :1]).all(axis=1)


def _in_runs(starts: np.ndarray, width: int, n: int) -> np.ndarray:
    """Points covered by a window of `width` that begins where `starts` is true."""
    if not starts.any():
        return np.zeros(n, dtype=bool)
    covered = np.convolve(starts.astype(int), np.ones(width, dtype=int))[:n]
    padded = np.zeros(n, dtype=bool)
    padded[: len(covered)] = covered > 0
    return padded


def _capability(
    column: Column, values: np.ndarray, within: float | None, overall: float | None
) -> dict[str, Any]:
    """Cpk and Ppk against the hard limits, or why they are not given."""
    limits = column.limits
    lower, upper = (limits.min, limits.max) if limits else (None, None)
    answer: dict[str, Any] = {
        "cpk": None,
        "ppk": None,
        "lsl": lower,
        "usl": upper,
        "batches": len(values),
    }
    if lower is None or upper is None:
        answer["message"] = (
            "No capability: it needs two-sided specification limits (min and max); "
            f"{column.name} has {'none' if limits is None else 'only one side'}."
        )
    elif len(values) < CAPABILITY_MIN_BATCHES or within is None or overall is None:
        answer["message"] = (
            f"No capability yet: {len(values)} batches, at least {CAPABILITY_MIN_BATCHES} needed "
            "for an index worth quoting."
        )
    elif within <= 0 or overall <= 0:
        answer["message"] = "No capability: every batch recorded the same value."
    else:
        mean = float(values.mean())
        answer["cpk"] = min(upper - mean, mean - lower) / (3 * within)
        answer["ppk"] = min(upper - mean, mean - lower) / (3 * overall)
        answer["message"] = (
            f"Cpk {answer['cpk']:.2f}, Ppk {answer['ppk']:.2f} over {len(values)} batches "
            "(1.33 or more is capable)."
        )
    return answer


def _moving_range(values: np.ndarray, index: int) -> float | None:
    return None if index == 0 else float(abs(values[index] - values[index - 1]))

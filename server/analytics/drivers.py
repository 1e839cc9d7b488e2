"""Which recorded parameter moved an outcome: each parameter's correlation with the outcome
(confidence interval, p-value corrected for the number of parameters tested), then all
parameters together in a cross-validated elastic net on standardised data.

Correlation is association, not cause: the words said with the ranking say so, and say when
there are too few batches to conclude anything.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNetCV

from server.analytics.table import BatchTable, Column

SIGNIFICANCE = 0.05
# Fewer batches than this and no correlation is computed at all.
DRIVERS_MIN_BATCHES = 8
# Fewer than this and the ranking is given with a warning that it is only a lead.
DRIVERS_FEW_BATCHES = 30
# The multivariate model needs this many batches, and a parameter must be recorded in this
# share of them to take part (the rest is filled with the parameter's median).
MODEL_MIN_BATCHES = 15
MODEL_MIN_COVERAGE = 0.8
CV_FOLDS = 5


@dataclass(frozen=True)
class Driver:
    column: Column
    batches: int
    r: float | None
    ci: tuple[float, float] | None
    p: float | None
    p_adjusted: float | None = None
    coefficient: float | None = None

    @property
    def significant(self) -> bool:
        return self.p_adjusted is not None and self.p_adjusted < SIGNIFICANCE

    def to_json(self) -> dict[str, Any]:
        return {
            "parameter": self.column.name,
            "label": self.column.label,
            "unit": self.column.unit,
            "batches": self.batches,
            "r": self.r,
            "ci_low": None if self.ci is None else self.ci[0],
            "ci_high": None if self.ci is None else self.ci[1],
            "p": self.p,
            "p_adjusted": self.p_adjusted,
            "significant": self.significant,
            "coefficient": self.coefficient,
        }


@dataclass(frozen=True)
class Drivers:
    key: str
    outcome: Column
    batches: int
    drivers: list[Driver]
    model: dict[str, Any] | None
    messages: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "procedure": self.key,
            "outcome": self.outcome.to_json(),
            "batches": self.batches,
            "significance": SIGNIFICANCE,
            "correction": "Benjamini-Hochberg (false discovery rate) over the parameters tested",
            "drivers": [driver.to_json() for driver in self.drivers],
            "model": self.model,
            "messages": self.messages,
        }


def drivers_of(table: BatchTable, outcome: Column) -> Drivers:
    """Every parameter ranked by its association with `outcome` over the table's batches."""
    rows = [row for row in table.rows if outcome.name in row.values]
    # What the outcome is calculated from moves with it by arithmetic, not by the process.
    parameters = [
        column
        for column in table.columns
        if column.role == "parameter" and column.name not in outcome.reads
    ]
    messages: list[str] = []
    if len(rows) < DRIVERS_MIN_BATCHES:
        messages.append(
            f"Only {len(rows)} batches recorded {outcome.name}: at least {DRIVERS_MIN_BATCHES} "
            "are needed before any association means something. Nothing is ranked."
        )
        return Drivers(table.key, outcome, len(rows), [], None, messages)
    y = np.array([row.values[outcome.name] for row in rows])
    matrix = np.array(
        [[row.values.get(column.name, np.nan) for column in parameters] for row in rows]
    )
    found = [_correlation(column, matrix[:, j], y) for j, column in enumerate(parameters)]
    tested = [i for i, driver in enumerate(found) if driver.p is not None]
    if tested:
        adjusted = stats.false_discovery_control([found[i].p for i in tested], method="bh")
        for i, p_adjusted in zip(tested, adjusted, strict=True):
            found[i] = _with(found[i], p_adjusted=float(p_adjusted))
    model, usable = None, _modelled(parameters, matrix)
    if len(rows) < MODEL_MIN_BATCHES:
        messages.append(
            f"No multivariate model: {len(rows)} batches, at least {MODEL_MIN_BATCHES} needed."
        )
    elif not usable or np.ptp(y) == 0:
        messages.append(
            "No multivariate model: "
            + (
                f"every batch recorded the same {outcome.name}."
                if usable
                else f"no parameter varies in at least {MODEL_MIN_COVERAGE:.0%} of the batches."
            )
        )
    else:
        model, coefficients = _elastic_net(parameters, usable, matrix, y)
        found = [_with(d, coefficient=coefficients.get(d.column.name)) for d in found]
    found.sort(key=_rank)
    messages += _verdict(outcome, found, len(rows))
    return Drivers(table.key, outcome, len(rows), found, model, messages)


def _correlation(column: Column, x: np.ndarray, y: np.ndarray) -> Driver:
    present = ~np.isnan(x)
    xs, ys = x[present], y[present]
    if len(xs) < 4 or np.ptp(xs) == 0 or np.ptp(ys) == 0:
        return Driver(column, len(xs), None, None, None)
    result = stats.pearsonr(xs, ys)
    interval = result.confidence_interval(0.95)
    return Driver(
        column,
        len(xs),
        float(result.statistic),
        (float(interval.low), float(interval.high)),
        float(result.pvalue),
    )


def _modelled(parameters: list[Column], matrix: np.ndarray) -> list[int]:
    """The parameters the model takes: recorded in most batches, and not constant there."""
    coverage = (~np.isnan(matrix)).mean(axis=0)
    return [
        j
        for j in range(len(parameters))
        if coverage[j] >= MODEL_MIN_COVERAGE and np.nanstd(matrix[:, j]) > 0
    ]


def _elastic_net(
    parameters: list[Column], keep: list[int], matrix: np.ndarray, y: np.ndarray
) -> tuple[dict[str, Any], dict[str, float]]:
    """Standardised coefficients of a cross-validated elastic net over the `keep` parameters
    (gaps filled with the median), and how well it predicts."""
    x = matrix[:, keep]
    x = np.where(np.isnan(x), np.nanmedian(x, axis=0), x)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    target = (y - y.mean()) / y.std()
    net = ElasticNetCV(l1_ratio=[0.5, 1.0], alphas=30, cv=CV_FOLDS, max_iter=5000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(x, target)
    coefficients = {parameters[j].name: float(net.coef_[i]) for i, j in enumerate(keep)}
    model = {
        "method": "elastic net, cross-validated (scikit-learn ElasticNetCV), standardised data",
        "parameters": len(keep),
        "alpha": float(net.alpha_),
        "l1_ratio": float(net.l1_ratio_),
        "r2": float(net.score(x, target)),
        "left_out": [parameters[j].name for j in range(len(parameters)) if j not in keep],
    }
    return model, coefficients


def _rank(driver: Driver) -> tuple[float, float]:
    if driver.p_adjusted is None or driver.r is None:
        return (2.0, 0.0)
    return (driver.p_adjusted, -abs(driver.r))


def _verdict(outcome: Column, ranked: list[Driver], batches: int) -> list[str]:
    words = []
    if batches < DRIVERS_FEW_BATCHES:
        words.append(
            f"{batches} batches is few: treat any association as a lead to investigate, "
            "not a finding."
        )
    significant = [driver for driver in ranked if driver.significant]
    if significant:
        top = significant[0]
        assert top.r is not None
        words.append(
            f"{len(significant)} parameter(s) moved with {outcome.name} beyond chance "
            f"(adjusted p < {SIGNIFICANCE}); strongest: {top.column.name} (r = {top.r:.2f}). "
            "Association, not proof of cause: confirm with the process knowledge or a designed "
            "experiment."
        )
    else:
        words.append(
            f"No parameter moved with {outcome.name} beyond chance (adjusted p < "
            f"{SIGNIFICANCE}) over {batches} batches."
        )
    return words


def _with(driver: Driver, **changes: Any) -> Driver:
    return Driver(**{**driver.__dict__, **changes})

"""The trend, drivers and scatter charts as PNG or SVG, for reports.

matplotlib's object API with the Agg canvas: no pyplot, so no global figure state, and each
call draws its own figure (safe in a worker thread).
"""

from __future__ import annotations

import io
from typing import Literal

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from server.analytics.drivers import Drivers
from server.analytics.table import BatchTable, Column
from server.analytics.trend import Trend

ChartFormat = Literal["png", "svg"]
MEDIA_TYPES: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml"}
FLAGGED, SPEC, ALERT, CONTROL = "#c62828", "#b71c1c", "#ef6c00", "#1565c0"


def trend_chart(trend: Trend, fmt: ChartFormat) -> bytes:
    """Values in batch order, the mean, ±3 sigma control limits, spec and alert limits; points
    that tripped a Nelson rule in red."""
    figure = Figure(figsize=(9, 4), layout="constrained")
    axes = figure.add_subplot()
    x = np.arange(len(trend.values))
    axes.plot(x, trend.values, "-o", color="#455a64", markersize=4, linewidth=1)
    flagged = [i for i, rules in enumerate(trend.rules) if rules]
    if flagged:
        axes.plot(x[flagged], trend.values[flagged], "o", color=FLAGGED, label="Nelson rule")
    if trend.mean is not None:
        axes.axhline(trend.mean, color=CONTROL, linewidth=1, label="mean")
    if (limits := trend.control_limits) is not None:
        for value in limits:
            axes.axhline(value, color=CONTROL, linestyle="--", linewidth=1)
        axes.plot([], [], color=CONTROL, linestyle="--", label="±3 sigma (moving range)")
    spec = trend.column.limits
    if spec is not None:
        for value, colour, style in (
            (spec.min, SPEC, "-."),
            (spec.max, SPEC, "-."),
            (spec.alert_min, ALERT, ":"),
            (spec.alert_max, ALERT, ":"),
        ):
            if value is not None:
                axes.axhline(value, color=colour, linestyle=style, linewidth=1)
    axes.set_title(f"{trend.column.label} ({trend.key})")
    axes.set_ylabel(_axis(trend.column))
    axes.set_xlabel("batch, in order")
    _batch_ticks(axes, [batch["batch_number"] for batch in trend.batches])
    axes.legend(loc="best", fontsize="small")
    return _render(figure, fmt)


def drivers_chart(drivers: Drivers, fmt: ChartFormat, top: int = 15) -> bytes:
    """Correlation of each parameter with the outcome and its 95 % interval; significant ones
    (after correction) filled."""
    shown = [driver for driver in drivers.drivers if driver.r is not None][:top][::-1]
    figure = Figure(figsize=(8, 0.9 + 0.35 * max(len(shown), 1)), layout="constrained")
    axes = figure.add_subplot()
    y = np.arange(len(shown))
    r = np.array([driver.r for driver in shown], dtype=float)
    low = np.array([driver.ci[0] if driver.ci else 0.0 for driver in shown])
    high = np.array([driver.ci[1] if driver.ci else 0.0 for driver in shown])
    colours = [CONTROL if driver.significant else "#b0bec5" for driver in shown]
    axes.barh(y, r, color=colours, xerr=[r - low, high - r], capsize=3)
    axes.set_yticks(y, [driver.column.name for driver in shown])
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set_xlim(-1, 1)
    axes.set_xlabel(f"correlation with {drivers.outcome.name} (95 % interval)")
    axes.set_title(f"What moved {drivers.outcome.label}? ({drivers.batches} batches)")
    return _render(figure, fmt)


def scatter_chart(table: BatchTable, outcome: Column, parameter: Column, fmt: ChartFormat) -> bytes:
    """The outcome against one parameter, batch by batch, with a least-squares line."""
    pairs = [
        (row.values[parameter.name], row.values[outcome.name])
        for row in table.rows
        if parameter.name in row.values and outcome.name in row.values
    ]
    x = np.array([p for p, _ in pairs], dtype=float)
    y = np.array([o for _, o in pairs], dtype=float)
    figure = Figure(figsize=(6, 4.5), layout="constrained")
    axes = figure.add_subplot()
    axes.scatter(x, y, color=CONTROL, s=18)
    if len(x) >= 2 and np.ptp(x) > 0:
        slope, intercept = np.polyfit(x, y, 1)
        line = np.linspace(x.min(), x.max(), 2)
        axes.plot(line, slope * line + intercept, color=FLAGGED, linewidth=1)
    axes.set_xlabel(_axis(parameter))
    axes.set_ylabel(_axis(outcome))
    axes.set_title(f"{outcome.label} against {parameter.label} ({len(x)} batches)")
    return _render(figure, fmt)


def _axis(column: Column) -> str:
    return f"{column.name} [{column.unit}]" if column.unit else column.name


def _batch_ticks(axes: object, numbers: list[str]) -> None:
    step = max(1, len(numbers) // 12)
    ticks = list(range(0, len(numbers), step))
    axes.set_xticks(ticks, [numbers[i] for i in ticks], rotation=45, ha="right", fontsize=7)  # type: ignore[attr-defined]


def _render(figure: Figure, fmt: ChartFormat) -> bytes:
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format=fmt, dpi=110)
    return out.getvalue()

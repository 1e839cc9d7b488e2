"""What analytics can answer, over a table read by `queries`: the columns asked for by name,
the trend, the drivers and the scatter, as JSON shapes or charts.

The statistics and charts are CPU work: callers run `answer` in a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from server.analytics import charts
from server.analytics.drivers import drivers_of
from server.analytics.exceptions import UnknownColumn, UnsupportedChoice
from server.analytics.table import BatchTable, Column, Role
from server.analytics.trend import trend_of

Include = Literal["closed", "all"]
INCLUDES = ("closed", "all")


def choice(option: str, given: str | None, allowed: tuple[str, ...]) -> str:
    """The query option's value, its first allowed value when absent; refused otherwise."""
    if given is None:
        return allowed[0]
    if given not in allowed:
        raise UnsupportedChoice(option, given, allowed)
    return given


def column(table: BatchTable, name: str, role: Role | None) -> Column:
    """The table's column `name`, of that role if one is given."""
    found = table.column(name)
    if found is None or (role is not None and found.role != role):
        raise UnknownColumn(table.key, role or "value", name, table.names(role))
    return found


@dataclass(frozen=True)
class Answer:
    """A JSON document or a file (CSV, PNG, SVG) with its media type."""

    json: dict[str, Any] | None = None
    body: bytes | None = None
    media_type: str = "application/json"


def table_answer(table: BatchTable, fmt: str) -> Answer:
    if fmt == "csv":
        return Answer(body=table.to_csv().encode(), media_type="text/csv")
    return Answer(json=table.to_json())


def trend_answer(table: BatchTable, name: str, fmt: str) -> Answer:
    trend = trend_of(table, column(table, name, None))
    if fmt in charts.MEDIA_TYPES:
        return Answer(body=charts.trend_chart(trend, fmt), media_type=charts.MEDIA_TYPES[fmt])  # type: ignore[arg-type]
    return Answer(json=trend.to_json())


def drivers_answer(table: BatchTable, name: str, fmt: str) -> Answer:
    drivers = drivers_of(table, column(table, name, "outcome"))
    if fmt in charts.MEDIA_TYPES:
        body = charts.drivers_chart(drivers, fmt)  # type: ignore[arg-type]
        return Answer(body=body, media_type=charts.MEDIA_TYPES[fmt])
    return Answer(json=drivers.to_json())


def scatter_answer(table: BatchTable, outcome_name: str, parameter_name: str, fmt: str) -> Answer:
    outcome = column(table, outcome_name, "outcome")
    parameter = column(table, parameter_name, None)
    if fmt in charts.MEDIA_TYPES:
        body = charts.scatter_chart(table, outcome, parameter, fmt)  # type: ignore[arg-type]
        return Answer(body=body, media_type=charts.MEDIA_TYPES[fmt])
    points = [
        {
            "batch_id": row.batch_id,
            "batch_number": row.batch_number,
            "x": row.values[parameter.name],
            "y": row.values[outcome.name],
        }
        for row in table.rows
        if parameter.name in row.values and outcome.name in row.values
    ]
    return Answer(
        json={
            "procedure": table.key,
            "outcome": outcome.to_json(),
            "parameter": parameter.to_json(),
            "points": points,
        }
    )

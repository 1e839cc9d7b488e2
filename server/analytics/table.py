"""The batches x recorded numbers table of one procedure, across its versions.

Pure: built from procedure definitions and the values read by `queries`, so the statistics
and the tests need no database. A column is a number the procedure records (a batch
parameter, a number input, a dispensed quantity or a calculation); it is an outcome when
the procedure marks it `cqa: true`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from procedures.expressions import parse_expression
from procedures.model import Limits, Procedure

Role = Literal["parameter", "outcome"]
Source = Literal["batch", "input", "calculation", "dispense"]


@dataclass(frozen=True)
class Column:
    """One recorded number: its name, what people call it, its unit and limits."""

    name: str
    label: str
    unit: str | None
    role: Role
    source: Source
    step_id: str | None
    limits: Limits | None
    reads: frozenset[str] = frozenset()

    def heading(self) -> str:
        """The CSV heading: name and unit."""
        return f"{self.name} [{self.unit}]" if self.unit else self.name

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "unit": self.unit,
            "role": self.role,
            "source": self.source,
            "step_id": self.step_id,
            "calculated_from": sorted(self.reads),
            "limits": self.limits.model_dump(exclude_none=True, exclude={"blocking"})
            if self.limits
            else {},
        }


@dataclass(frozen=True)
class BatchRow:
    """One batch's identity, dates, deviation count and recorded numbers (by column name)."""

    batch_id: str
    batch_number: str
    version: int
    status: str
    created_at: datetime
    completed_at: datetime | None
    decided_at: datetime | None
    deviations: int
    values: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "batch_number": self.batch_number,
            "version": self.version,
            "status": self.status,
            "created_at": _iso(self.created_at),
            "completed_at": _iso(self.completed_at),
            "decided_at": _iso(self.decided_at),
            "deviations": self.deviations,
            "values": self.values,
        }


@dataclass(frozen=True)
class BatchTable:
    """Every batch of a procedure (in batch order) against every number it records."""

    key: str
    title: str
    include: Literal["closed", "all"]
    columns: list[Column]
    rows: list[BatchRow]

    def column(self, name: str) -> Column | None:
        return next((column for column in self.columns if column.name == name), None)

    def names(self, role: Role | None = None) -> list[str]:
        return [column.name for column in self.columns if role in (None, column.role)]

    def series(self, name: str) -> list[tuple[BatchRow, float]]:
        """The batches that recorded `name`, with the value, in batch order."""
        return [(row, row.values[name]) for row in self.rows if name in row.values]

    def to_json(self) -> dict[str, Any]:
        return {
            "procedure": self.key,
            "title": self.title,
            "include": self.include,
            "columns": [column.to_json() for column in self.columns],
            "batches": [row.to_json() for row in self.rows],
        }

    def to_csv(self) -> str:
        """One line per batch: identity, dates, deviation count, then every column."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        fixed = ["batch_number", "version", "status", "created_at", "completed_at"]
        writer.writerow([*fixed, "decided_at", "deviations", *(c.heading() for c in self.columns)])
        for row in self.rows:
            writer.writerow(
                [
                    row.batch_number,
                    row.version,
                    row.status,
                    _iso(row.created_at),
                    _iso(row.completed_at) or "",
                    _iso(row.decided_at) or "",
                    row.deviations,
                    *(_csv_number(row.values.get(column.name)) for column in self.columns),
                ]
            )
        return out.getvalue()


def columns_of(definitions: Sequence[Procedure]) -> list[Column]:
    """The numbers the procedure's versions record, newest version's description first, then
    any that only older versions record; in the order a batch records them."""
    found: dict[str, Column] = {}
    for definition in definitions:
        for column in _columns_of(definition):
            found.setdefault(column.name, column)
    return list(found.values())


def _columns_of(definition: Procedure) -> Iterable[Column]:
    for parameter in definition.parameters:
        if parameter.type == "number":
            yield Column(
                parameter.name,
                parameter.label,
                parameter.unit,
                "parameter",
                "batch",
                None,
                parameter.limits,
            )
    for step in definition.steps():
        if step.dispense is not None:
            dispense = step.dispense
            yield Column(
                dispense.name, step.title, dispense.unit, "parameter", "dispense", step.id, None
            )
        for item in step.inputs:
            if item.type == "number":
                role: Role = "outcome" if item.cqa else "parameter"
                yield Column(item.name, item.label, item.unit, role, "input", step.id, item.limits)
        for calc in step.calculations:
            role = "outcome" if calc.cqa else "parameter"
            reads = parse_expression(calc.expression).names
            yield Column(
                calc.name, calc.label, calc.unit, role, "calculation", step.id, calc.limits, reads
            )


def numeric(value: object) -> float | None:
    """A recorded value as a number, or None when it is not one (text, a scan, a tick)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _csv_number(value: float | None) -> str:
    return "" if value is None else repr(value)

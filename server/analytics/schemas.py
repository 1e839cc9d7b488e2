"""API shapes of the analytics endpoints (README "Analytics" describes every field)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ColumnOut(BaseModel):
    name: str
    label: str
    unit: str | None
    role: str = Field(description="`parameter`, or `outcome` when the procedure marks it cqa.")
    source: str = Field(description="`batch`, `input`, `calculation` or `dispense`.")
    step_id: str | None
    limits: dict[str, float] = Field(description="min, max (hard), alert_min, alert_max.")
    calculated_from: list[str] = Field(description="A calculation's inputs, else empty.")


class TableOut(BaseModel):
    procedure: str
    title: str
    include: str = Field(description="`closed` (completed or released batches) or `all`.")
    columns: list[ColumnOut]
    batches: list[dict[str, Any]] = Field(
        description="batch_id, batch_number, version, status, created_at, completed_at, "
        "decided_at, deviations, values {column name: number}."
    )


class TrendOut(BaseModel):
    procedure: str
    parameter: ColumnOut
    points: list[dict[str, Any]] = Field(
        description="batch_id, batch_number, version, status, value, moving_range, rules."
    )
    limits: dict[str, float]
    mean: float | None
    sigma_within: float | None
    sigma_overall: float | None
    lcl: float | None
    ucl: float | None
    rules_fired: list[dict[str, Any]]
    capability: dict[str, Any]


class DriversOut(BaseModel):
    procedure: str
    outcome: ColumnOut
    batches: int
    significance: float
    correction: str
    drivers: list[dict[str, Any]] = Field(
        description="parameter, label, unit, batches, r, ci_low, ci_high, p, p_adjusted, "
        "significant, coefficient; best first."
    )
    model: dict[str, Any] | None
    messages: list[str]


class ScatterOut(BaseModel):
    procedure: str
    outcome: ColumnOut
    parameter: ColumnOut
    points: list[dict[str, Any]] = Field(description="batch_number, batch_id, x, y.")

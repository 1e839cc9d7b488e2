"""Equipment API shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from server.balances.mtsics import Reading
from server.equipment.models import Equipment, EquipmentLogEntry
from server.web.schemas import SignatureIn, Strict

Code = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


class RegisterEquipmentIn(Strict):
    code: str = Code
    name: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    location: str = Field(min_length=1, max_length=200)
    calibration_due: date | None = None
    address: str | None = Field(
        default=None,
        max_length=200,
        pattern=r"^[A-Za-z0-9.-]+:\d{1,5}$",
        description="host:port of a balance's MT-SICS interface.",
    )


class StatusIn(Strict):
    status: Literal["clean", "dirty", "maintenance"]
    reason: str = Field(min_length=1, max_length=4000)
    clean_hold_hours: float | None = Field(default=None, gt=0, le=24 * 90)
    signature: SignatureIn | None = Field(
        default=None,
        description="Required for a cleaning (meaning `performed`): the cleaning record is "
        "GMP data, signed by the person who cleaned.",
    )


class CalibrationIn(Strict):
    due: date
    reason: str = Field(min_length=1, max_length=4000)


class EquipmentOut(BaseModel):
    id: str
    code: str
    name: str
    type: str
    location: str
    status: str
    clean_until: datetime | None
    calibration_due: date | None
    address: str | None
    in_use_by: str | None

    @classmethod
    def of(cls, equipment: Equipment) -> EquipmentOut:
        return cls.model_validate(equipment, from_attributes=True)


class LogEntryOut(BaseModel):
    at: datetime
    actor: str
    event: str
    batch_id: str | None
    step_id: str | None
    detail: dict[str, Any]
    reason: str | None

    @classmethod
    def of(cls, entry: EquipmentLogEntry) -> LogEntryOut:
        return cls.model_validate(entry, from_attributes=True)


class ReadingOut(BaseModel):
    """A balance reading as the balance reported it."""

    equipment: str
    value: float
    unit: str
    stable: bool

    @classmethod
    def of(cls, balance: Equipment, reading: Reading) -> ReadingOut:
        return cls(
            equipment=balance.code,
            value=float(reading.value),
            unit=reading.unit,
            stable=reading.stable,
        )

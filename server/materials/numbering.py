"""Readable lot and container numbers (`EXC-0101-261207-003`): the settings' patterns, with
a sequence per material and day, kept unique by the database under concurrent receipts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.clock import utcnow
from server.config import Settings
from server.ids import readable_number
from server.materials.exceptions import NumberUnavailable
from server.materials.models import Container, Lot, Material

# Numbers tried past the day's count before giving up: each taken one means another
# transaction got there first (or a number was given by hand).
ATTEMPTS = 20
Numbered = TypeVar("Numbered", Lot, Container)


@dataclass(frozen=True)
class Numbering:
    """The patterns new lot and container numbers follow."""

    lot_pattern: str
    container_pattern: str

    @classmethod
    def of(cls, settings: Settings) -> Numbering:
        return cls(settings.lot_number_pattern, settings.container_number_pattern)


async def add_lot(
    session: AsyncSession, numbering: Numbering, material: Material, make: Callable[[str], Lot]
) -> Lot:
    """Add the lot `make(number)` builds under the next free number of its material today."""
    day = utcnow()
    made_today = await session.scalar(
        select(func.count(Lot.id)).where(
            Lot.material_id == material.id, Lot.received_at >= _start_of(day)
        )
    )
    return await _add(session, numbering.lot_pattern, material, day, made_today or 0, make)


async def add_container(
    session: AsyncSession,
    numbering: Numbering,
    material: Material,
    make: Callable[[str], Container],
) -> Container:
    """Add the container `make(number)` builds under the next free number of its material
    today."""
    day = utcnow()
    made_today = await session.scalar(
        select(func.count(Container.id))
        .join(Lot, Lot.id == Container.lot_id)
        .where(Lot.material_id == material.id, Container.created_at >= _start_of(day))
    )
    return await _add(session, numbering.container_pattern, material, day, made_today or 0, make)


async def _add(
    session: AsyncSession,
    pattern: str,
    material: Material,
    day: datetime,
    made_today: int,
    make: Callable[[str], Numbered],
) -> Numbered:
    """Insert under the first free number from the day's count on; a number taken meanwhile
    (unique violation) rolls back only its savepoint, and the next one is tried."""
    for seq in range(made_today + 1, made_today + 1 + ATTEMPTS):
        item = make(readable_number(pattern, material.code, day.date(), seq))
        try:
            async with session.begin_nested():
                session.add(item)
        except IntegrityError:
            continue
        return item
    raise NumberUnavailable(material.code)


def _start_of(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), time(), tzinfo=UTC)

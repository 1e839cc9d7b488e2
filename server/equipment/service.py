"""The equipment registry and its logbook, which steps write automatically."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.balances.addresses import split_address
from server.clock import isoformat_or_none, utcnow
from server.config import Settings
from server.db.paging import Keyset, Page, PageRequest, fetch_page
from server.equipment.exceptions import (
    AddressNotAllowed,
    EquipmentCodeTaken,
    EquipmentNotFound,
    EquipmentRefused,
    StatusChangeRefused,
)
from server.equipment.models import Equipment, EquipmentLogEntry
from server.equipment.rules import describe, unusable
from server.networks import Network, is_allowed
from server.signatures import service as signatures

# Statuses a person sets; `in_use` is set and cleared by batches only.
SETTABLE_STATUSES = ("clean", "dirty", "maintenance")
# Who may sign a cleaning: the shop floor, who clean.
CLEANERS = frozenset({"operator", "supervisor"})


def _state(equipment: Equipment) -> dict[str, Any]:
    return {
        "status": equipment.status,
        "clean_until": isoformat_or_none(equipment.clean_until),
        "calibration_due": _date(equipment.calibration_due),
        "in_use_by": equipment.in_use_by,
    }


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


async def register(
    session: AsyncSession,
    user: User,
    *,
    code: str,
    name: str,
    type: str,
    location: str,
    calibration_due: date | None,
    address: str | None,
    networks: tuple[Network, ...],
) -> Equipment:
    """Add equipment to the registry; it starts dirty until its first recorded cleaning. An
    address given as an IP must be inside `networks` (a host name is checked when dialled)."""
    if address is not None and is_allowed(split_address(address)[0], networks) is False:
        raise AddressNotAllowed(address)
    if await session.scalar(select(Equipment.id).where(Equipment.code == code)):
        raise EquipmentCodeTaken(code)
    equipment = Equipment(
        code=code,
        name=name,
        type=type,
        location=location,
        status="dirty",
        calibration_due=calibration_due,
        address=address,
        created_at=utcnow(),
    )
    session.add(equipment)
    await session.flush()
    new = {"code": code, "name": name, "type": type, "location": location, **_state(equipment)}
    await audit.record(
        session, auth.actor_of(user), "equipment.registered", "equipment", equipment.id, new=new
    )
    await _log(session, equipment, user, "registered", new)
    return equipment


async def get(session: AsyncSession, reference: str, *, lock: bool = False) -> Equipment:
    """Equipment by id or code (locked for change when `lock`)."""
    query = select(Equipment).where(or_(Equipment.id == reference, Equipment.code == reference))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    equipment = await session.scalar(query)
    if equipment is None:
        raise EquipmentNotFound(reference)
    return equipment


async def find_by_code(session: AsyncSession, code: str) -> Equipment | None:
    return await session.scalar(select(Equipment).where(Equipment.code == code))


EQUIPMENT = Keyset("equipment", (Equipment.code, Equipment.id))
LOGBOOK = Keyset("logbook", (EquipmentLogEntry.at, EquipmentLogEntry.id))


async def list_equipment(
    session: AsyncSession, page: PageRequest, type: str | None = None
) -> Page[Equipment]:
    """A page of the equipment, by code, of one type if given."""
    query = select(Equipment)
    if type:
        query = query.where(Equipment.type == type)
    return await fetch_page(session, query, EQUIPMENT, page)


async def logbook(
    session: AsyncSession, reference: str, page: PageRequest
) -> Page[EquipmentLogEntry]:
    """A page of the logbook of a piece of equipment, oldest first."""
    equipment = await get(session, reference)
    query = select(EquipmentLogEntry).where(EquipmentLogEntry.equipment_id == equipment.id)
    return await fetch_page(session, query, LOGBOOK, page)


async def set_status(
    session: AsyncSession,
    settings: Settings,
    user: User,
    reference: str,
    *,
    status: str,
    reason: str,
    clean_hold_hours: float | None = None,
    signature: signatures.SignatureRequest | None = None,
) -> Equipment:
    """Record a cleaning, soiling or maintenance. A cleaning makes equipment usable, so it is
    e-signed by who cleaned (meaning `performed`) and starts its clean-hold time."""
    equipment = await get(session, reference, lock=True)
    if equipment.status == "in_use":
        holder = equipment.in_use_by_batch
        batch = holder.batch_number if holder is not None else equipment.in_use_by
        raise StatusChangeRefused(describe(equipment), f"it is in use by batch {batch}")
    signer = None
    if status == "clean":
        signer = await signatures.authenticate_signer(
            session,
            settings,
            signature,
            meaning="performed",
            current_user=user,
            authority=signatures.Authority(f"cleaning {equipment.code}", CLEANERS),
            subject=signatures.Subject("equipment", equipment.id),
        )
    old = _state(equipment)
    equipment.status = status
    if status == "clean":
        hours = clean_hold_hours if clean_hold_hours is not None else 72.0
        equipment.clean_until = utcnow() + timedelta(hours=hours)
    else:
        equipment.clean_until = None
    signed: dict[str, Any] = {}
    if signer is not None:
        content = {"equipment": equipment.code, "status": status, "reason": reason}
        await signatures.apply(session, signer, "performed", content, signed_in=user)
        signed = {"signed_by": signatures.signed_by(signer)}
    event = "cleaned" if status == "clean" else "status_changed"
    await _change(session, user, equipment, event, old, reason, signed=signed)
    return equipment


async def record_calibration(
    session: AsyncSession, user: User, reference: str, *, due: date, reason: str
) -> Equipment:
    """Record a calibration and the date the next one is due."""
    equipment = await get(session, reference, lock=True)
    old = _state(equipment)
    equipment.calibration_due = due
    await _change(session, user, equipment, "calibrated", old, reason)
    return equipment


def check_usable(equipment: Equipment, expected_type: str, batch_id: str, field: str) -> None:
    """Refuse equipment of the wrong type, not clean, past clean-hold or calibration."""
    problem = unusable(equipment, expected_type, batch_id, utcnow())
    if problem is not None:
        raise EquipmentRefused(field, describe(equipment), problem.code, problem.message)


async def use_in_step(
    session: AsyncSession,
    user: User,
    equipment: Equipment,
    *,
    batch_id: str,
    step_id: str,
    leaves: str | None,
) -> None:
    """A step used the equipment: log it and mark it in use by the batch, or dirty (`leaves`;
    None leaves the status as it is, as for a balance)."""
    old = _state(equipment)
    if leaves is not None:
        equipment.status = leaves
        equipment.in_use_by = batch_id if leaves == "in_use" else None
        equipment.clean_until = None
    await _log(
        session, equipment, user, "used", {"step_id": step_id}, batch_id=batch_id, step_id=step_id
    )
    if leaves is not None and old["status"] != leaves:
        await audit.record(
            session,
            auth.actor_of(user),
            "equipment.status_changed",
            "equipment",
            equipment.id,
            old=old,
            new=_state(equipment),
            reason=f"used in step {step_id}",
            batch_id=batch_id,
        )


async def release_for_batch(session: AsyncSession, user: User, batch_id: str) -> None:
    """The batch is finished: equipment it left in use becomes dirty."""
    held = await session.scalars(
        select(Equipment).where(Equipment.in_use_by == batch_id).with_for_update()
    )
    for equipment in held:
        old = _state(equipment)
        equipment.status, equipment.in_use_by = "dirty", None
        await _change(
            session, user, equipment, "released", old, "batch completed", batch_id=batch_id
        )


async def _change(
    session: AsyncSession,
    user: User,
    equipment: Equipment,
    event: str,
    old: dict[str, Any],
    reason: str,
    *,
    batch_id: str | None = None,
    signed: dict[str, Any] | None = None,
) -> None:
    new = {**_state(equipment), **(signed or {})}
    await audit.record(
        session,
        auth.actor_of(user),
        f"equipment.{event}",
        "equipment",
        equipment.id,
        old=old,
        new=new,
        reason=reason,
        batch_id=batch_id,
    )
    await _log(session, equipment, user, event, new, reason=reason, batch_id=batch_id)


async def _log(
    session: AsyncSession,
    equipment: Equipment,
    user: User,
    event: str,
    detail: dict[str, Any],
    *,
    reason: str | None = None,
    batch_id: str | None = None,
    step_id: str | None = None,
) -> None:
    actor = auth.actor_of(user)
    session.add(
        EquipmentLogEntry(
            equipment_id=equipment.id,
            at=utcnow(),
            actor_id=actor.id,
            actor=actor.label,
            event=event,
            batch_id=batch_id,
            step_id=step_id,
            detail=detail,
            reason=reason,
        )
    )
    await session.flush()

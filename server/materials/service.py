"""The material master, lot receipt and release, dispensed containers and lot usage."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.auth import service as auth
from server.auth.models import User
from server.clock import utcnow
from server.config import Settings
from server.db.paging import Keyset, Page, PageRequest, fetch_page, prefixed
from server.events.schemas import LotEvent
from server.events.staging import stage
from server.materials import numbering as numbering_service
from server.materials.exceptions import (
    ContainerNotFound,
    LotNotFound,
    LotStatusUnchanged,
    MaterialCodeTaken,
    MaterialNotFound,
    MaterialRefused,
)
from server.materials.models import Container, Lot, Material, MaterialUse
from server.materials.numbering import Numbering
from server.materials.rules import describe, unusable
from server.signatures import service as signatures

# The meaning a QA signature carries for each lot status it sets.
STATUS_MEANINGS = {"released": "released", "rejected": "reviewed", "quarantine": "reviewed"}
# Who may sign a lot's release, rejection or quarantine: quality assurance alone.
LOT_DECIDERS: frozenset[str] = frozenset({"qa"})


def _lot_state(lot: Lot) -> dict[str, Any]:
    return {"status": lot.status, "quantity": str(lot.quantity), "unit": lot.unit}


# The lot event of each status QA sets.
STATUS_CHANGES = {"released": "released", "rejected": "rejected", "quarantine": "quarantined"}


def _announce(session: AsyncSession, lot: Lot, change: str) -> None:
    """Stage the lot's event (journaled per lot, so webhooks deliver it in order)."""
    stage(
        session,
        LotEvent(
            batch_id=None, lot_id=lot.id, lot_number=lot.lot_number,
            material=lot.material.code, change=change, **_lot_state(lot),
        ),
    )  # fmt: skip


async def create_material(
    session: AsyncSession, user: User, *, code: str, name: str, gtin: str | None, unit: str
) -> Material:
    """Add a material to the master."""
    clash = or_(Material.code == code, Material.gtin == gtin) if gtin else Material.code == code
    if await session.scalar(select(Material.id).where(clash)):
        raise MaterialCodeTaken(f"Material {code}" + (f" or GTIN {gtin}" if gtin else ""))
    material = Material(code=code, name=name, gtin=gtin, unit=unit, created_at=utcnow())
    session.add(material)
    await session.flush()
    new = {"code": code, "name": name, "gtin": gtin, "unit": unit}
    await audit.record(
        session, auth.actor_of(user), "material.created", "material", material.id, new=new
    )
    return material


MATERIALS = Keyset("materials", (Material.code, Material.id))
LOTS = Keyset("lots", (Lot.received_at, Lot.id), descending=True)
LOT_STATUSES = tuple(STATUS_MEANINGS)


async def list_materials(session: AsyncSession, page: PageRequest) -> Page[Material]:
    """A page of the material master, by code."""
    return await fetch_page(session, select(Material), MATERIALS, page)


async def get_material(session: AsyncSession, reference: str) -> Material:
    """A material by id, code or GTIN."""
    material = await session.scalar(
        select(Material).where(
            or_(Material.id == reference, Material.code == reference, Material.gtin == reference)
        )
    )
    if material is None:
        raise MaterialNotFound(reference)
    return material


def _new_lot(
    master: Material,
    user: User,
    supplier: str,
    supplier_lot: str,
    quantity: Decimal,
    expiry: date,
    retest_date: date | None,
) -> Callable[[str], Lot]:
    """What builds a lot of `master` in quarantine, once it has its number."""

    def make(number: str) -> Lot:
        return Lot(
            lot_number=number,
            material_id=master.id,
            supplier=supplier,
            supplier_lot=supplier_lot,
            expiry=expiry,
            retest_date=retest_date,
            status="quarantine",
            quantity=quantity,
            unit=master.unit,
            received_at=utcnow(),
            received_by=user.id,
        )

    return make


async def receive_lot(
    session: AsyncSession,
    user: User,
    *,
    material: str,
    supplier: str,
    supplier_lot: str,
    quantity: Decimal,
    expiry: date,
    retest_date: date | None = None,
    numbering: Numbering,
    lot_number: str | None = None,
) -> Lot:
    """Receive a lot into quarantine, under `lot_number` or the next number of `numbering`;
    QA releases it before it can be used."""
    master = await get_material(session, material)
    if lot_number and await session.scalar(select(Lot.id).where(Lot.lot_number == lot_number)):
        raise MaterialCodeTaken(f"Lot {lot_number}")

    received = _new_lot(master, user, supplier, supplier_lot, quantity, expiry, retest_date)
    if lot_number:
        lot = received(lot_number)
        session.add(lot)
        await session.flush()
    else:
        lot = await numbering_service.add_lot(session, numbering, master, received)
    await session.refresh(lot, ["material"])
    new = {
        "lot_number": lot.lot_number,
        "material": master.code,
        "supplier": supplier,
        "supplier_lot": supplier_lot,
        "expiry": expiry.isoformat(),
        "retest_date": retest_date.isoformat() if retest_date else None,
        **_lot_state(lot),
    }
    await audit.record(session, auth.actor_of(user), "lot.received", "lot", lot.id, new=new)
    _announce(session, lot, "received")
    return lot


async def list_lots(
    session: AsyncSession,
    page: PageRequest,
    *,
    material: str | None = None,
    statuses: Sequence[str] = (),
    expiry_before: date | None = None,
    number_prefix: str | None = None,
) -> Page[Lot]:
    """A page of lots, newest received first, filtered by whichever filters are given."""
    query = select(Lot)
    if material:
        query = query.where(Lot.material_id == (await get_material(session, material)).id)
    if statuses:
        query = query.where(Lot.status.in_(statuses))
    if expiry_before:
        query = query.where(Lot.expiry < expiry_before)
    if number_prefix:
        query = query.where(*prefixed(Lot.lot_number, number_prefix))
    return await fetch_page(session, query, LOTS, page)


async def get_lot(session: AsyncSession, reference: str, *, lock: bool = False) -> Lot:
    """A lot by id or lot number (locked for change when `lock`)."""
    query = select(Lot).where(or_(Lot.id == reference, Lot.lot_number == reference))
    if lock:
        query = query.with_for_update(of=Lot).execution_options(populate_existing=True)
    lot = await session.scalar(query)
    if lot is None:
        raise LotNotFound(reference)
    return lot


async def find_lot(session: AsyncSession, lot_number: str) -> Lot | None:
    return await session.scalar(select(Lot).where(Lot.lot_number == lot_number))


async def set_lot_status(
    session: AsyncSession,
    settings: Settings,
    user: User,
    reference: str,
    *,
    status: str,
    reason: str,
    signature: signatures.SignatureRequest | None,
) -> Lot:
    """QA releases, rejects or re-quarantines a lot, with an e-signature."""
    lot = await get_lot(session, reference, lock=True)
    if lot.status == status:
        raise LotStatusUnchanged(lot.lot_number, status)
    meaning = STATUS_MEANINGS[status]
    signer = await signatures.authenticate_signer(
        session,
        settings,
        signature,
        meaning=meaning,
        current_user=user,
        authority=signatures.Authority(f"setting lot {lot.lot_number} {status}", LOT_DECIDERS),
        subject=signatures.Subject("lot", lot.id),
    )
    old = _lot_state(lot)
    lot.status = status
    await signatures.apply(
        session,
        signer,
        meaning,
        {"lot": lot.lot_number, "status": status, "reason": reason},
        signed_in=user,
    )
    await audit.record(
        session,
        auth.actor_of(user),
        "lot.status_changed",
        "lot",
        lot.id,
        old=old,
        new={**_lot_state(lot), "signed_by": signatures.signed_by(signer)},
        reason=reason,
    )
    _announce(session, lot, STATUS_CHANGES[status])
    return lot


async def produce_lot(
    session: AsyncSession,
    user: User,
    master: Material,
    numbering: Numbering,
    *,
    quantity: Decimal,
    expiry: date,
    batch_id: str,
    batch_number: str,
    step_id: str,
) -> Lot:
    """A new lot of `master` made by a batch step, under the next number of `numbering`, in
    quarantine until QA releases it; the `produced` use links it to its batch, the edge
    genealogy follows downstream."""

    produced = _new_lot(master, user, "Stepwise", batch_number, quantity, expiry, None)
    lot = await numbering_service.add_lot(session, numbering, master, produced)
    number = lot.lot_number
    await session.refresh(lot, ["material"])
    await record_use(session, user, lot, None, batch_id, step_id, "produced", quantity, lot.unit)
    new = {
        "lot_number": number,
        "material": master.code,
        "batch": batch_number,
        "step_id": step_id,
        "expiry": expiry.isoformat(),
        **_lot_state(lot),
    }
    await audit.record(
        session, auth.actor_of(user), "lot.produced", "lot", lot.id, new=new, batch_id=batch_id
    )
    _announce(session, lot, "produced")
    return lot


async def produced_in(session: AsyncSession, batch_id: str, step_id: str) -> Lot | None:
    """The lot a batch step produced, if it did."""
    return await session.scalar(
        select(Lot)
        .join(MaterialUse, MaterialUse.lot_id == Lot.id)
        .where(
            MaterialUse.batch_id == batch_id,
            MaterialUse.step_id == step_id,
            MaterialUse.kind == "produced",
        )
    )


def check_lot(lot: Lot, material_code: str, field: str) -> None:
    """Refuse the wrong material, or a lot not released, expired or due for retest."""
    problem = unusable(lot, material_code, utcnow().date())
    if problem is not None:
        raise MaterialRefused(
            field, describe(lot), problem.code, problem.message, problem.overridable
        )


def check_stock(lot: Lot, taken: Decimal, field: str) -> None:
    """Refuse taking more than the lot has left."""
    if taken > lot.quantity:
        message = f"only {lot.quantity} {lot.unit} left, {taken} {lot.unit} needed"
        raise MaterialRefused(field, describe(lot), "insufficient_quantity", message, False)


async def get_container(session: AsyncSession, reference: str) -> Container:
    """A container by id or number."""
    container = await session.scalar(
        select(Container).where(or_(Container.id == reference, Container.number == reference))
    )
    if container is None:
        raise ContainerNotFound(reference)
    return container


async def find_container(session: AsyncSession, number: str) -> Container | None:
    return await session.scalar(select(Container).where(Container.number == number))


async def dispense(
    session: AsyncSession,
    user: User,
    lot: Lot,
    *,
    quantity: Decimal,
    unit: str,
    taken: Decimal,
    batch_id: str,
    step_id: str,
    source: str,
    balance_id: str | None,
    numbering: Numbering,
) -> Container:
    """A new container of `quantity` `unit` from `lot`, whose stock goes down by `taken`,
    under the next number of `numbering`."""
    old = _lot_state(lot)
    lot.quantity -= taken

    def dispensed(number: str) -> Container:
        return Container(
            number=number,
            lot_id=lot.id,
            quantity=quantity,
            unit=unit,
            source=source,
            balance_id=balance_id,
            batch_id=batch_id,
            step_id=step_id,
            created_at=utcnow(),
            created_by=user.id,
        )

    container = await numbering_service.add_container(session, numbering, lot.material, dispensed)
    await session.refresh(container, ["lot"])
    await record_use(session, user, lot, container, batch_id, step_id, "dispensed", quantity)
    actor = auth.actor_of(user)
    await audit.record(
        session,
        actor,
        "lot.quantity_changed",
        "lot",
        lot.id,
        old=old,
        new=_lot_state(lot),
        reason=f"dispensed into container {container.number}",
        batch_id=batch_id,
    )
    new = {
        "number": container.number,
        "lot": lot.lot_number,
        "quantity": str(quantity),
        "unit": unit,
        "source": source,
        "step_id": step_id,
    }
    await audit.record(
        session,
        actor,
        "container.created",
        "container",
        container.id,
        new=new,
        batch_id=batch_id,
    )
    return container


async def record_use(
    session: AsyncSession,
    user: User,
    lot: Lot,
    container: Container | None,
    batch_id: str,
    step_id: str,
    kind: str,
    quantity: Decimal | None = None,
    unit: str | None = None,
) -> MaterialUse:
    """A batch step used (or produced) a lot, or used one of its containers: the edge
    genealogy follows."""
    use = MaterialUse(
        batch_id=batch_id,
        step_id=step_id,
        lot_id=lot.id,
        container_id=container.id if container else None,
        kind=kind,
        quantity=quantity,
        unit=container.unit if container else unit,
        at=utcnow(),
        by=user.id,
    )
    session.add(use)
    await session.flush()
    return use

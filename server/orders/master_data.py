"""The material master and received lots from the ERP, through the materials services:
what exists already with the same content is left as it is (re-importing doubles nothing),
what exists with other content is refused."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import User
from server.errors import NotFound, Problem
from server.materials import service as materials
from server.materials.models import Lot, Material
from server.materials.numbering import Numbering
from server.orders.documents import LotSpec, MaterialInformation, MaterialSpec
from server.orders.exceptions import ImportClash, ImportRefused
from server.orders.service import Imported


def _same_material(material: Material, spec: MaterialSpec) -> bool:
    return (material.code, material.name, material.gtin, material.unit) == (
        spec.code, spec.name, spec.gtin, spec.unit,
    )  # fmt: skip


def _same_lot(lot: Lot, spec: LotSpec) -> bool:
    # The quantity is left out: it goes down as the lot is used.
    found = (lot.material.code, lot.supplier, lot.supplier_lot, lot.expiry, lot.retest_date)
    return found == (spec.material, spec.supplier, spec.supplier_lot, spec.expiry, spec.retest_date)


async def _material(session: AsyncSession, user: User, spec: MaterialSpec) -> Material | None:
    """The new material, or None when it is there already."""
    clash = Material.code == spec.code
    if spec.gtin:
        clash = or_(clash, Material.gtin == spec.gtin)
    existing = await session.scalar(select(Material).where(clash))
    if existing is not None:
        if not _same_material(existing, spec):
            raise ImportClash(f"Material {spec.code} ({spec.at})")
        return None
    return await materials.create_material(
        session, user, code=spec.code, name=spec.name, gtin=spec.gtin, unit=spec.unit
    )


async def _lot(
    session: AsyncSession, user: User, spec: LotSpec, numbering: Numbering
) -> Lot | None:
    """The lot received into quarantine, or None when it is there already."""
    existing = await materials.find_lot(session, spec.lot_number)
    if existing is not None:
        if not _same_lot(existing, spec):
            raise ImportClash(f"Lot {spec.lot_number} ({spec.at})")
        return None
    try:
        master = await materials.get_material(session, spec.material)
    except NotFound as exc:
        where = f"{spec.at}/MaterialDefinitionID" if "/" in spec.at else f"{spec.at}.material"
        raise ImportRefused([Problem(where, exc.detail, code="unknown_material")]) from exc
    return await materials.receive_lot(
        session,
        user,
        material=master.code,
        supplier=spec.supplier,
        supplier_lot=spec.supplier_lot,
        quantity=spec.quantity,
        expiry=spec.expiry,
        retest_date=spec.retest_date,
        numbering=numbering,
        lot_number=spec.lot_number,
    )


async def import_material_information(
    session: AsyncSession, user: User, information: MaterialInformation, numbering: Numbering
) -> tuple[Imported, Imported]:
    """Materials, then lots (which may be of those materials): each created or found."""
    made, lots = Imported(), Imported()
    for spec in information.materials:
        created = await _material(session, user, spec)
        if created is None:
            made.unchanged.append(await materials.get_material(session, spec.code))
        else:
            made.created.append(created)
    for lot_spec in information.lots:
        received = await _lot(session, user, lot_spec, numbering)
        if received is None:
            lots.unchanged.append(await materials.get_lot(session, lot_spec.lot_number))
        else:
            lots.created.append(received)
    return made, lots

"""What a scanned code identifies: equipment, a lot, a dispensed container, or a material.

Codes come from Stepwise's own labels (a QR code `stepwise:<kind>:<code>` and a GS1
DataMatrix), from suppliers' GS1 labels (GTIN + lot), or typed as plain text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from media.exceptions import Gs1Invalid
from media.gs1 import Gs1Data, looks_like_gs1, parse_gs1
from server.equipment import service as equipment_service
from server.equipment.models import Equipment
from server.materials import service as materials
from server.materials.exceptions import MaterialNotFound
from server.materials.models import Container, Lot, Material
from server.scans.exceptions import CodeMalformed

Kind = Literal["equipment", "lot", "container", "material"]
PREFIX = "stepwise"


def qr_payload(kind: Kind, code: str) -> str:
    """The text of the QR code on a Stepwise label."""
    return f"{PREFIX}:{kind}:{code}"


@dataclass(frozen=True)
class Resolution:
    """What a code identifies; exactly one of the object fields is set, matching `kind`."""

    kind: Kind
    gs1: Gs1Data | None = None
    equipment: Equipment | None = None
    lot: Lot | None = None
    container: Container | None = None
    material: Material | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def lot_of_item(self) -> Lot | None:
        """The lot a lot or container resolution stands for."""
        return self.container.lot if self.container else self.lot

    def summary(self) -> dict[str, Any]:
        """`{kind, id, code, name, status}` of what was identified (equipment adds its `type`
        and the batch it is `in_use_by`)."""
        if self.equipment is not None:
            e = self.equipment
            return _summary(
                "equipment", e.id, e.code, e.name, e.status, type=e.type, in_use_by=e.in_use_by
            )
        if self.container is not None:
            c, lot = self.container, self.container.lot
            return _summary(
                "container",
                c.id,
                c.number,
                lot.material.name,
                lot.status,
                lot=lot.lot_number,
                quantity=str(c.quantity),
                unit=c.unit,
            )
        if self.lot is not None:
            lot = self.lot
            return _summary(
                "lot",
                lot.id,
                lot.lot_number,
                lot.material.name,
                lot.status,
                material=lot.material.code,
                expiry=lot.expiry.isoformat(),
            )
        assert self.material is not None
        m = self.material
        return _summary("material", m.id, m.code, m.name, "known", gtin=m.gtin)


def _summary(kind: str, id: str, code: str, name: str, status: str, **extra: Any) -> dict:
    return {"kind": kind, "id": id, "code": code, "name": name, "status": status, **extra}


def parse_code(text: str, field: str) -> Gs1Data | None:
    """The GS1 data of a code, None if it is not GS1; CodeMalformed if it is but broken."""
    if not looks_like_gs1(text):
        return None
    try:
        return parse_gs1(text)
    except Gs1Invalid as exc:
        raise CodeMalformed(field, text, exc.reason) from exc


async def resolve(session: AsyncSession, text: str, field: str = "text") -> Resolution | None:
    """What `text` identifies, or None when it is nothing known here."""
    text = text.strip()
    kind, _, code = text.removeprefix(f"{PREFIX}:").partition(":")
    if text.startswith(f"{PREFIX}:") and code:
        return await _by_kind(session, kind, code)
    gs1 = parse_code(text, field)
    if gs1 is not None:
        return await _by_gs1(session, gs1)
    for candidate in ("equipment", "container", "lot"):
        found = await _by_kind(session, candidate, text)
        if found is not None:
            return found
    return None


async def gtin_known(session: AsyncSession, gtin: str) -> bool:
    """Whether a material of the master carries this GTIN."""
    try:
        await materials.get_material(session, gtin)
    except MaterialNotFound:
        return False
    return True


async def _by_kind(session: AsyncSession, kind: str, code: str) -> Resolution | None:
    if kind == "equipment":
        equipment = await equipment_service.find_by_code(session, code)
        return Resolution("equipment", equipment=equipment) if equipment else None
    if kind == "container":
        container = await materials.find_container(session, code)
        return Resolution("container", container=container) if container else None
    if kind == "lot":
        lot = await materials.find_lot(session, code)
        return Resolution("lot", lot=lot) if lot else None
    return None


async def _by_gs1(session: AsyncSession, gs1: Gs1Data) -> Resolution | None:
    """A container by serial (21), else a lot by lot (10), else the material by GTIN (01)."""
    found: Resolution | None = None
    if gs1.serial:
        found = await _by_kind(session, "container", gs1.serial)
    if found is None and gs1.lot:
        found = await _by_kind(session, "lot", gs1.lot)
    if found is not None:
        lot = found.lot_of_item
        assert lot is not None
        if gs1.gtin and lot.material.gtin and gs1.gtin != lot.material.gtin:
            return None  # a lot number we know, printed on another product: not ours
        return Resolution(found.kind, gs1=gs1, lot=found.lot, container=found.container)
    if gs1.gtin:
        try:
            material = await materials.get_material(session, gs1.gtin)
        except MaterialNotFound:
            return None
        note = f"lot {gs1.lot} of this material is not received here" if gs1.lot else None
        return Resolution("material", gs1=gs1, material=material, notes=[note] if note else [])
    return None

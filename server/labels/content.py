"""What each Stepwise label says: a QR code, a GS1 DataMatrix and the human-readable text."""

from __future__ import annotations

from media.gs1 import Gs1Data
from media.labels import LabelContent
from server.clock import isoformat
from server.equipment.models import Equipment
from server.materials.models import Container, Lot
from server.scans.resolver import qr_payload


def equipment_label(equipment: Equipment) -> LabelContent:
    """An equipment ID label. Equipment is no trade item: a QR code only, no GTIN."""
    return LabelContent(
        title=equipment.name,
        lines=(
            ("Equipment", equipment.code),
            ("Type", equipment.type.replace("_", " ")),
            ("Location", equipment.location),
        ),
        qr_text=qr_payload("equipment", equipment.code),
        gs1=None,
    )


def lot_label(lot: Lot) -> LabelContent:
    """A lot label, printed at receipt: GTIN, lot and expiry in the DataMatrix."""
    material = lot.material
    return LabelContent(
        title=material.name,
        lines=(
            ("Material", material.code),
            ("Lot", lot.lot_number),
            ("Supplier lot", f"{lot.supplier_lot} ({lot.supplier})"),
            ("Expiry", lot.expiry.isoformat()),
            ("Received", f"{lot.quantity} {lot.unit}, {isoformat(lot.received_at)[:10]}"),
        ),
        qr_text=qr_payload("lot", lot.lot_number),
        gs1=_gs1(lot),
    )


def container_label(container: Container, batch_number: str) -> LabelContent:
    """A dispensed container: the DataMatrix adds its number as the serial (21)."""
    lot = container.lot
    return LabelContent(
        title=lot.material.name,
        lines=(
            ("Container", container.number),
            ("Batch", batch_number),
            ("Lot", f"{lot.lot_number}, expiry {lot.expiry.isoformat()}"),
            (
                "Net",
                f"{container.quantity} {container.unit}"
                + (" (manual entry)" if container.source == "manual" else ""),
            ),
            ("Dispensed", isoformat(container.created_at)[:16].replace("T", " ") + " UTC"),
        ),
        qr_text=qr_payload("container", container.number),
        gs1=_gs1(lot, serial=container.number),
    )


def _gs1(lot: Lot, serial: str | None = None) -> Gs1Data | None:
    gtin = lot.material.gtin
    if gtin is None:
        return None
    elements = {"01": gtin, "10": lot.lot_number, "17": lot.expiry.strftime("%y%m%d")}
    if serial:
        elements["21"] = serial
    return Gs1Data(
        gtin=gtin, lot=lot.lot_number, expiry=lot.expiry, serial=serial, elements=elements
    )

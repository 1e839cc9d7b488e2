"""Demo inventory: the materials, lots and equipment the sample procedures scan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import User
from server.clock import utcnow
from server.config import LOOPBACK, Settings
from server.equipment import service as equipment
from server.materials import service as materials
from server.materials.numbering import Numbering
from server.signatures.service import SignatureRequest

DEMO_BALANCE_HOST = "127.0.0.1"


@dataclass(frozen=True)
class DemoMaterial:
    code: str
    name: str
    gtin: str


@dataclass(frozen=True)
class DemoLot:
    lot_number: str
    material: str
    supplier: str
    supplier_lot: str
    quantity: str
    released: bool


@dataclass(frozen=True)
class DemoEquipment:
    code: str
    name: str
    type: str
    location: str


DEMO_MATERIALS = (
    DemoMaterial("STW-101-API", "STW-101 drug substance", "09506000130101"),
    DemoMaterial("EXC-0101", "Microcrystalline cellulose PH-102", "09506000130118"),
    DemoMaterial("EXC-0204", "Lactose monohydrate", "09506000130125"),
    DemoMaterial("EXC-0310", "Croscarmellose sodium", "09506000130132"),
    DemoMaterial("EXC-0415", "Povidone K30", "09506000130149"),
    DemoMaterial("EXC-0520", "Magnesium stearate", "09506000130156"),
    DemoMaterial("EXC-0930", "Opadry II white", "09506000130163"),
    DemoMaterial("STW-101-FB", "STW-101 final blend", "09506000130170"),
    DemoMaterial("STW-101-CT", "STW-101 25 mg core tablets", "09506000130187"),
    DemoMaterial("STW-101-FC", "STW-101 25 mg film-coated tablets", "09506000130194"),
)
DEMO_LOTS = (
    DemoLot("API-2611-01", "STW-101-API", "Helix Fine Chemicals", "HFC-24-0917", "5", True),
    DemoLot("MCC-2611-01", "EXC-0101", "Avicel Supply", "AV-7734201", "50", True),
    DemoLot("MCC-2611-02", "EXC-0101", "Avicel Supply", "AV-7734388", "50", False),
    DemoLot("LAC-2611-01", "EXC-0204", "Lactochem", "LC-551902", "50", True),
    DemoLot("CCS-2611-01", "EXC-0310", "Ac-Di-Sol Ltd", "ADS-22817", "10", True),
    DemoLot("PVP-2611-01", "EXC-0415", "Kollidon GmbH", "KD-0093311", "10", True),
    DemoLot("MGS-2611-01", "EXC-0520", "Ligamed", "LM-190045", "5", True),
    DemoLot("OPA-2611-01", "EXC-0930", "Colorcon", "CC-WH-88120", "10", True),
)
DEMO_EQUIPMENT = (
    DemoEquipment("EQ-BAL-01", "Floor balance 60 kg", "balance", "Dispensing booth 1"),
    DemoEquipment("EQ-GRAN-01", "High-shear granulator 25 L", "high_shear_granulator", "Suite G1"),
    DemoEquipment("EQ-FBD-01", "Fluid-bed dryer 15 kg", "fluid_bed_dryer", "Suite G1"),
    DemoEquipment("EQ-MILL-01", "Conical mill", "conical_mill", "Suite G1"),
    DemoEquipment("EQ-PRESS-01", "Rotary tablet press 16 stations", "tablet_press", "Suite C1"),
    DemoEquipment("EQ-PUNCH-S25", "Punch set 8 mm round, STW-101 25 mg", "punch_set", "Suite C1"),
    DemoEquipment("EQ-COAT-01", "Perforated pan coater 15 kg", "pan_coater", "Suite F1"),
)


async def seed_inventory(
    session: AsyncSession,
    settings: Settings,
    *,
    admin: User,
    receiver: User,
    receiver_password: str,
    qa: User,
    qa_password: str,
) -> None:
    """Create the demo materials, lots (released unless marked) and clean, calibrated
    equipment, through the same services (and audit trail) as real data."""
    if await equipment.find_by_code(session, DEMO_EQUIPMENT[0].code) is not None:
        return
    for material in DEMO_MATERIALS:
        await materials.create_material(
            session, admin, code=material.code, name=material.name, gtin=material.gtin, unit="kg"
        )
    today = utcnow().date()
    for lot in DEMO_LOTS:
        await materials.receive_lot(
            session,
            receiver,
            material=lot.material,
            supplier=lot.supplier,
            supplier_lot=lot.supplier_lot,
            quantity=Decimal(lot.quantity),
            expiry=date(today.year + 2, 6, 30),
            lot_number=lot.lot_number,
            numbering=Numbering.of(settings),
        )
        if lot.released:
            await materials.set_lot_status(
                session,
                settings,
                qa,
                lot.lot_number,
                status="released",
                reason="Demo: certificate of analysis reviewed",
                signature=SignatureRequest(
                    password=qa_password, meaning="released", username=qa.username
                ),
            )
    for item in DEMO_EQUIPMENT:
        is_balance = item.type == "balance"
        await equipment.register(
            session,
            admin,
            code=item.code,
            name=item.name,
            type=item.type,
            location=item.location,
            calibration_due=today + timedelta(days=180),
            address=f"{DEMO_BALANCE_HOST}:{settings.demo_balance_port}" if is_balance else None,
            networks=LOOPBACK,  # the demo's simulated balance
        )
        await equipment.set_status(
            session,
            settings,
            receiver,
            item.code,
            status="clean",
            reason="Demo: cleaned and inspected",
            clean_hold_hours=24 * 30,
            signature=SignatureRequest(
                password=receiver_password, meaning="performed", username=receiver.username
            ),
        )

"""Demo history: four completed batches chained through their output lots, so a first look at
traceability shows a real tree and a real recall.

Dispensing (STW101-D-0901) weighs the six materials into containers → granulation
(STW101-G-0901) scans them and yields a final blend lot → compression (STW101-C-0901) scans
the blend and yields a core tablet lot → coating (STW101-F-0901) scans the cores and yields a
film-coated tablet lot. Each output lot is released by QA with an e-signature before the
next batch scans it, and the equipment a batch leaves dirty is cleaned (e-signed) after it.

Everything goes through the same services, checks, signatures and audit trail as live work;
only the time is replayed (`server.clock.ReplayClock`): the batches ran yesterday, with their
blend and stirring times honoured. The weights were typed (the balance is simulated), so the
record marks them `manual`; the step photos are the containers' and the cores' labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from media.labels import render_label_png
from server.auth import service as auth
from server.auth.models import User
from server.batches import service as batches
from server.batches.models import Batch
from server.clock import ReplayClock
from server.concurrency import run_blocking
from server.config import Settings
from server.db.engine import Database
from server.equipment import service as equipment
from server.labels.content import LabelContent, container_label, lot_label
from server.materials import service as materials
from server.media_store import service as media
from server.media_store.files import MediaFiles
from server.signatures.service import SignatureRequest

BATCH_SIZE_KG = 6.0
DISPENSING, GRANULATION, COMPRESSION, COATING = (
    "STW101-D-0901",
    "STW101-G-0901",
    "STW101-C-0901",
    "STW101-F-0901",
)
STEP_TIME = timedelta(minutes=4)  # between two steps of a replayed batch
# Each dispense step: the material's lot and the weight typed for a 6 kg batch.
DISPENSED = {
    "weigh_api": ("API-2611-01", "api_kg", 0.75),
    "weigh_mcc": ("MCC-2611-01", "mcc_kg", 2.94),
    "weigh_lactose": ("LAC-2611-01", "lactose_kg", 1.8),
    "weigh_ccs": ("CCS-2611-01", "ccs_kg", 0.18),
    "weigh_pvp": ("PVP-2611-01", "pvp_kg", 0.27),
    "weigh_lubricant": ("MGS-2611-01", "mgst_kg", 0.06),
}
CONTAINER_INPUTS = {
    "weigh_api": "api_container",
    "weigh_mcc": "mcc_container",
    "weigh_lactose": "lactose_container",
    "weigh_ccs": "ccs_container",
    "weigh_pvp": "pvp_container",
    "weigh_lubricant": "mgst_container",
}


@dataclass(frozen=True)
class Crew:
    """Who does what in the demo history (usernames), and their demo passwords."""

    supervisor: str
    operator: str
    cleaner: str
    qa: str
    password: Callable[[str], str]

    def signs(self, username: str, meaning: str) -> SignatureRequest:
        return SignatureRequest(
            password=self.password(username), meaning=meaning, username=username
        )


async def _user(session: AsyncSession, username: str) -> User:
    """A user loaded in this session (a session's objects stay in their session)."""
    user = await auth.get_user(session, username)
    assert user is not None, f"no demo user {username!r}"
    return user


@dataclass
class _Run:
    """One batch being replayed: its id, and the step records' outputs met on the way."""

    database: Database
    settings: Settings
    crew: Crew
    clock: ReplayClock
    batch_id: str = ""

    async def create(self, procedure: str, batch_number: str, clearance: dict[str, bool]) -> None:
        """Create and start the batch, then clear its line (the first step of every sample,
        e-signed) with the checklist `clearance`."""
        async with self.database.sessions()() as session, session.begin():
            batch = await batches.create_batch(
                session,
                await _user(session, self.crew.supervisor),
                procedure_key=procedure,
                version=None,
                batch_number=batch_number,
                parameters={"batch_size_kg": BATCH_SIZE_KG},
            )
            self.batch_id = batch.id
        self.clock.advance(STEP_TIME)
        async with self.database.sessions()() as session, session.begin():
            operator = await _user(session, self.crew.operator)
            await batches.start_batch(session, operator, self.batch_id)
        await self.step("line_clearance", clearance, signed="performed")

    async def step(
        self,
        step_id: str,
        values: Mapping[str, Any] | None = None,
        *,
        signed: str | None = None,
        verifier: str | None = None,
        after: timedelta = STEP_TIME,
    ) -> batches.Completion:
        """Complete a step `after` the previous one at the operator's device, signed
        `performed` by the operator or `verified` by `verifier`."""
        self.clock.advance(after)
        performer = self.crew.operator  # at the device; a verifier signs on it
        signature = None
        if verifier is not None:
            signature = self.crew.signs(verifier, "verified")
        elif signed is not None:
            signature = self.crew.signs(performer, signed)
        async with self.database.sessions()() as session, session.begin():
            return await batches.complete_step(
                session,
                self.settings,
                await _user(session, performer),
                self.batch_id,
                step_id,
                values=values or {},
                comment=None,
                signature=signature,
            )

    async def photo(self, content: LabelContent) -> str:
        """A photo input's value: the label `content` as a stored image."""
        data = await run_blocking(render_label_png, content)
        async with self.database.sessions()() as session, session.begin():
            stored = await media.save_media(
                session,
                MediaFiles(self.settings.data_dir / "media"),
                auth.actor_of(await _user(session, self.crew.operator)),
                data,
                "image/png",
            )
            return stored.id

    async def output(self, step_id: str) -> str:
        """The lot the batch's `step_id` produced, released by QA (e-signed)."""
        self.clock.advance(STEP_TIME)
        async with self.database.sessions()() as session, session.begin():
            lot = await materials.produced_in(session, self.batch_id, step_id)
            assert lot is not None, f"{step_id} produced no lot"
            await materials.set_lot_status(
                session,
                self.settings,
                await _user(session, self.crew.qa),
                lot.lot_number,
                status="released",
                reason="Demo: batch record and in-process results reviewed",
                signature=self.crew.signs(self.crew.qa, "released"),
            )
            return lot.lot_number

    async def clean(self, *codes: str) -> None:
        """Record the cleaning of what the batch left dirty, e-signed by who cleaned."""
        for code in codes:
            self.clock.advance(STEP_TIME)
            async with self.database.sessions()() as session, session.begin():
                await equipment.set_status(
                    session,
                    self.settings,
                    await _user(session, self.crew.cleaner),
                    code,
                    status="clean",
                    reason="Demo: cleaned per SOP after the batch",
                    clean_hold_hours=24 * 30,
                    signature=self.crew.signs(self.crew.cleaner, "performed"),
                )


async def seed_genealogy(
    database: Database, settings: Settings, crew: Crew, clock: ReplayClock
) -> None:
    """Replay the four chained batches on `clock` (it must be this task's clock: see
    `server.clock.replaying`), unless the first of them exists."""
    async with database.sessions()() as session:
        if await _exists(session, DISPENSING):
            return

    def run() -> _Run:
        return _Run(database, settings, crew, clock)

    containers = await _dispensing(run())
    blend = await _granulation(run(), containers)
    cores = await _compression(run(), blend)
    await _coating(run(), cores)


async def _exists(session: AsyncSession, batch_number: str) -> bool:
    found = await session.scalar(select(Batch.id).where(Batch.batch_number == batch_number))
    return found is not None


async def _dispensing(run: _Run) -> dict[str, str]:
    """The dispensing batch; the container number of each material, by granulation input."""
    checklist = {"previous_batch_removed": True, "booth_status_clean": True}
    await run.create("stw101-dispensing", DISPENSING, {**checklist, "downflow_running": True})
    await run.step("scan_balance", {"balance_id": "EQ-BAL-01"})
    reference = {"reference_weight_id": "RW-2KG-07", "balance_reading_g": 2000.1}
    await run.step("balance_check", reference)
    containers: dict[str, str] = {}
    for step_id, (lot, name, kg) in DISPENSED.items():
        values = {"balance": "EQ-BAL-01", "lot": lot, name: kg}
        done = await run.step(
            step_id, values, signed=("performed" if step_id == "weigh_api" else None)
        )
        assert done.container is not None
        containers[CONTAINER_INPUTS[step_id]] = done.container.number
        if step_id == "weigh_api":
            await run.step("verify_api", verifier=run.crew.supervisor)
    await run.step("dispensed_total")
    async with run.database.sessions()() as session:
        first = await materials.get_container(session, containers["api_container"])
        label = container_label(first, DISPENSING)
    photo = await run.photo(label)
    await run.step(
        "photo_containers",
        {
            "containers_photo": photo,
            "dispensing_remarks": "Demo data: the container label stands in for the photo",
        },
    )
    await run.clean("EQ-BAL-01")
    return containers


async def _granulation(run: _Run, containers: Mapping[str, str]) -> str:
    cleared = {"suite_cleared": True, "granulator_clean": True, "materials_complete": True}
    await run.create("stw101-granulation", GRANULATION, cleared)
    await run.step("scan_granulator", {"granulator_id": "EQ-GRAN-01"})
    await run.step("scan_containers", dict(containers))
    await run.step("dry_mix", {"dry_mix_time_min": 5.0, "dry_mix_impeller_rpm": 200})
    binder = {
        "binder_solution_kg": 1.77,
        "addition_time_min": 3.0,
        "addition_impeller_rpm": 200,
        "addition_power_kw": 3.5,
    }
    await run.step("binder_addition", binder)
    await run.step("wet_massing", {"wet_massing_time_min": 2.0, "end_power_kw": 5.2})
    drying = {
        "dryer_id": "EQ-FBD-01",
        "inlet_air_temp_c": 60,
        "drying_time_min": 35,
        "lod_pct": 1.4,
    }
    await run.step("fluid_bed_drying", drying, after=timedelta(minutes=40))
    await run.step("dry_milling", {"mill_id": "EQ-MILL-01", "mill_screen": "1.0 mm round"})
    await run.step("start_final_blend")
    await run.step("final_blend_time", after=timedelta(minutes=4))  # 3 to 5 min
    await run.step("granulation_yield", {"output_kg": 5.85}, signed="performed")
    blend = await run.output("granulation_yield")
    await run.clean("EQ-GRAN-01", "EQ-FBD-01", "EQ-MILL-01")
    return blend


async def _compression(run: _Run, blend: str) -> str:
    cleared = {"room_cleared": True, "press_clean": True, "tooling_correct": True}
    await run.create("stw101-compression", COMPRESSION, cleared)
    scans = {"press_id": "EQ-PRESS-01", "punch_set_id": "EQ-PUNCH-S25", "blend_drum": blend}
    await run.step("scan_press", scans)
    settings_values = {"turret_speed_rpm": 30, "precompression_kn": 2.0, "main_force_kn": 12.0}
    await run.step("press_settings", settings_values)
    ipc = {"weight_mg": 200.4, "hardness_n": 80, "thickness_mm": 3.9, "friability_pct": 0.2}
    await run.step("ipc_start", _prefixed("start", ipc), signed="performed")
    await run.step("release_run", verifier=run.crew.supervisor)
    await run.step("compress_batch", after=timedelta(minutes=50))
    await run.step("ipc_end", _prefixed("end", {**ipc, "hardness_n": 82}))
    yields = {"tablets_kg": 5.82, "rejects_kg": 0.15}
    await run.step("compression_yield", yields, signed="performed")
    cores = await run.output("compression_yield")
    await run.clean("EQ-PRESS-01", "EQ-PUNCH-S25")
    return cores


async def _coating(run: _Run, cores: str) -> str:
    cleared = {"room_cleared": True, "coater_clean": True, "guns_checked": True}
    await run.create("stw101-coating", COATING, cleared)
    await run.step("scan_coater", {"coater_id": "EQ-COAT-01", "cores_drum": cores})
    suspension = {"opadry_lot": "OPA-2611-01", "opadry_kg": 0.18, "water_kg": 1.02}
    await run.step("prepare_suspension", suspension)
    await run.step("suspension_stirring", after=timedelta(minutes=50))  # at least 45 min
    await run.step("charge_cores", {"cores_charged_kg": 5.8, "cores_100_g": 20.0})
    await run.step("preheat", {"preheat_exhaust_c": 43})
    spraying = {
        "inlet_temp_c": 60,
        "exhaust_temp_c": 42,
        "spray_rate_g_min": 40,
        "pan_speed_rpm": 12,
        "atomising_air_bar": 2.0,
    }
    await run.step("spraying", spraying, signed="performed", after=timedelta(minutes=30))
    await run.step("weight_gain", {"coated_100_g": 20.62}, after=timedelta(minutes=60))
    await run.step("cooling", after=timedelta(minutes=12))  # 10 to 30 min
    await run.step("appearance_check", {"appearance": "conforms"})
    async with run.database.sessions()() as session:
        label = lot_label(await materials.get_lot(session, cores))
    await run.step("photo_tablets", {"tablets_photo": await run.photo(label)})
    await run.step("coating_yield", {"coated_tablets_kg": 5.93}, signed="performed")
    await run.step("qa_review", verifier=run.crew.qa)
    coated = await run.output("coating_yield")
    await run.clean("EQ-COAT-01")
    return coated


def _prefixed(prefix: str, values: Mapping[str, Any]) -> dict[str, Any]:
    return {f"{prefix}_{name}": value for name, value in values.items()}

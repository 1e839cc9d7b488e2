"""What scan and dispense steps check and record: equipment, lots, containers, weights.

`check` runs before anything is written and refuses what may not be used (unless a
supervisor overrides an overridable refusal); `record` then writes the logbook entries,
material uses and the dispensed container in the step's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from procedures.dispensing import DispenseTarget, check_net, convert, dispense_target
from procedures.exceptions import StepRejected
from procedures.guardrails import FieldProblem
from procedures.model import DISPENSE_SCANS, Expectation, Step
from server.auth.models import User
from server.balances.mtsics import Reading
from server.batches.balance_readings import BalanceReadings
from server.batches.exceptions import StepValuesRejected
from server.batches.models import Batch
from server.config import Settings
from server.deviations import service as deviations
from server.deviations.models import Deviation
from server.equipment import service as equipment_service
from server.equipment.exceptions import EquipmentRefused
from server.equipment.models import Equipment
from server.materials import service as materials
from server.materials.exceptions import MaterialRefused
from server.materials.models import Container, Lot
from server.materials.numbering import Numbering
from server.scans.exceptions import CodeUnknown
from server.scans.resolver import Resolution, resolve
from server.signatures import service as signatures

OVERRIDE_ROLES: frozenset[str] = frozenset({"supervisor"})


@dataclass(frozen=True)
class Override:
    """A supervisor's e-signed decision to use a lot despite an overridable refusal."""

    reason: str
    signature: signatures.SignatureRequest


@dataclass(frozen=True)
class Weighing:
    """A dispense about to be recorded: from which lot, on which balance, how much."""

    lot: Lot
    balance: Equipment
    net: Decimal
    unit: str
    taken: Decimal
    source: str
    target: DispenseTarget


@dataclass
class Traced:
    """The checked outcome of a step's scans: canonical values and what to record."""

    values: dict[str, object] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    equipment: list[tuple[Equipment, str | None]] = field(default_factory=list)
    lots: list[tuple[Lot, Container | None]] = field(default_factory=list)
    containers: dict[str, Container] = field(default_factory=dict)
    overridden: list[MaterialRefused] = field(default_factory=list)
    override_signer: User | None = None
    override_reason: str | None = None
    weighing: Weighing | None = None
    numbering: Numbering | None = None  # how a dispensed container is numbered


def proposed_inputs(step: Step, values: Mapping[str, object]) -> dict[str, object]:
    """The values guardrails check: a dispense step's scans and weight are checked here."""
    if step.dispense is None:
        return dict(values)
    own = {*DISPENSE_SCANS, step.dispense.name}
    return {name: value for name, value in values.items() if name not in own}


async def check(
    session: AsyncSession,
    settings: Settings,
    user: User,
    batch: Batch,
    step: Step,
    values: Mapping[str, object],
    context: Mapping[str, object],
    override: Override | None,
    readings: BalanceReadings,
) -> Traced:
    """Resolve and check every scan of the step (and, for a dispense step, take the weight
    from `readings`: the balance was read before the transaction opened)."""
    traced = Traced(numbering=Numbering.of(settings))
    for item in step.inputs:
        text = values.get(item.name)
        if item.expects is None or not isinstance(text, str) or not text.strip():
            continue
        leaves = item.expects.leaves or "in_use"
        found = await _check_scan(
            session, traced, batch, item.name, text, item.expects, override, leaves
        )
        if isinstance(found, Lot):
            traced.lots.append((found, traced.containers.get(item.name)))
    if step.dispense is not None:
        await _check_dispense(session, traced, batch, step, values, context, override, readings)
    if traced.overridden:
        assert override is not None
        traced.override_signer = await _override_signer(session, settings, user, batch, override)
        traced.override_reason = override.reason
    return traced


def scan_expectations(step: Step) -> dict[str, Expectation]:
    """What each scan of a step must resolve to: its scan inputs, and a dispense step's
    balance and source lot."""
    expected = {item.name: item.expects for item in step.inputs if item.expects is not None}
    if step.dispense is not None:
        expected["balance"] = Expectation(kind="equipment", type=step.dispense.balance_type)
        expected["lot"] = Expectation(kind="material", material=step.dispense.material)
    return expected


async def check_scan(
    session: AsyncSession, batch_id: str, name: str, text: str, expects: Expectation
) -> Resolution:
    """What a scanned code identifies, checked as completing the step checks it (without
    locking or recording anything); otherwise the refusal a manual scan gets."""
    found = await _resolved(session, name, text)
    check_item(expected_item(found, name, text, expects), batch_id, name, expects)
    return found


def expected_item(found: Resolution, name: str, text: str, expects: Expectation) -> Equipment | Lot:
    """The equipment or lot a scanned code stands for, if it is the kind the scan expects."""
    if expects.kind == "equipment":
        if found.equipment is None:
            raise EquipmentRefused(
                name, f"The code {text!r}", "not_equipment", f"it is a {found.kind}"
            )
        return found.equipment
    lot = found.lot_of_item
    if lot is None:
        raise MaterialRefused(
            name, f"The code {text!r}", "not_a_lot", f"it is a {found.kind}, not a lot", False
        )
    return lot


def check_item(item: Equipment | Lot, batch_id: str, name: str, expects: Expectation) -> None:
    """Refuse equipment or a lot the step may not use (some lot refusals are overridable)."""
    if isinstance(item, Equipment):
        assert expects.type is not None
        equipment_service.check_usable(item, expects.type, batch_id, name)
        return
    assert expects.material is not None
    materials.check_lot(item, expects.material, name)


async def _resolved(session: AsyncSession, name: str, text: str) -> Resolution:
    found = await resolve(session, text, f"values.{name}")
    if found is None:
        raise CodeUnknown(f"values.{name}", text)
    return found


async def _check_scan(
    session: AsyncSession,
    traced: Traced,
    batch: Batch,
    name: str,
    text: str,
    expects: Expectation,
    override: Override | None,
    leaves: str | None = "in_use",
) -> Equipment | Lot:
    """Resolve one scan and check it against the expectation; `leaves`: equipment status after
    the step (None: unchanged)."""
    found = await _resolved(session, name, text)
    item = expected_item(found, name, text, expects)
    if isinstance(item, Equipment):
        check_item(item, batch.id, name, expects)
        traced.values[name] = item.code
        traced.sources[name] = "scan"
        traced.equipment.append((item, leaves))
        return item
    lot = await materials.get_lot(session, item.id, lock=True)
    try:
        check_item(lot, batch.id, name, expects)
    except MaterialRefused as refused:
        if not (refused.overridable and override is not None):
            raise
        traced.overridden.append(refused)
    code = found.container.number if found.container else lot.lot_number
    traced.values[name] = code
    traced.sources[name] = "scan"
    if found.container is not None:
        traced.containers[name] = found.container
    return lot


async def _check_dispense(
    session: AsyncSession,
    traced: Traced,
    batch: Batch,
    step: Step,
    values: Mapping[str, object],
    context: Mapping[str, object],
    override: Override | None,
    readings: BalanceReadings,
) -> None:
    dispense = step.dispense
    assert dispense is not None
    missing = [name for name in DISPENSE_SCANS if not isinstance(values.get(name), str)]
    if missing:
        raise StepValuesRejected(
            step.id,
            [_problem(name, "required", "scan the balance and the source lot") for name in missing],
        )
    try:
        target = dispense_target(dispense, context)
    except StepRejected as exc:
        raise StepValuesRejected(step.id, exc.problems) from exc
    expected = scan_expectations(step)
    balance = await _check_scan(
        session,
        traced,
        batch,
        "balance",
        str(values["balance"]),
        expected["balance"],
        override,
        None,
    )
    assert isinstance(balance, Equipment)
    lot_code = str(values["lot"])
    lot = await _check_scan(session, traced, batch, "lot", lot_code, expected["lot"], override)
    assert isinstance(lot, Lot)
    net, source = _net_weight(
        step, values.get(dispense.name), partial(readings.reading_of, balance)
    )
    problem = check_net(dispense, target, net)
    if problem is not None:
        raise StepValuesRejected(step.id, [problem])
    taken = convert(net, dispense.unit, lot.unit)
    materials.check_stock(lot, taken, "lot")
    traced.weighing = Weighing(lot, balance, net, dispense.unit, taken, source, target)


def _net_weight(step: Step, manual: object, read: Callable[[], Reading]) -> tuple[Decimal, str]:
    """The net weight: typed (marked manual) or read from the balance over MT-SICS."""
    dispense = step.dispense
    assert dispense is not None
    if manual is not None:
        try:
            if isinstance(manual, bool):
                raise InvalidOperation
            net = Decimal(str(manual))
        except InvalidOperation:
            net = Decimal("NaN")
        if not net.is_finite() or net <= 0:
            raise StepValuesRejected(
                step.id, [_problem(dispense.name, "wrong_type", "must be a positive number")]
            )
        return net, "manual"
    reading = read()
    try:
        net = convert(reading.value, reading.unit, dispense.unit)
    except ValueError as exc:
        raise StepValuesRejected(
            step.id,
            [_problem(dispense.name, "wrong_unit", f"the balance weighs in {reading.unit}")],
        ) from exc
    return (round(net, dispense.decimals) if dispense.decimals is not None else net), "balance"


def _problem(name: str, code: str, message: str) -> FieldProblem:
    return FieldProblem(name, code, message)


async def _override_signer(
    session: AsyncSession, settings: Settings, user: User, batch: Batch, override: Override
) -> User:
    return await signatures.authenticate_signer(
        session,
        settings,
        override.signature,
        meaning="approved",
        current_user=user,
        authority=signatures.Authority("overriding a material refusal", OVERRIDE_ROLES),
        subject=signatures.Subject("batch", batch.id, batch.id),
    )


async def record(
    session: AsyncSession, user: User, batch: Batch, step: Step, traced: Traced
) -> tuple[Container | None, list[Deviation]]:
    """Write what the checked scans imply: logbook, lot uses, the dispensed container, and a
    deviation for each overridden refusal."""
    for equipment, leaves in traced.equipment:
        await equipment_service.use_in_step(
            session, user, equipment, batch_id=batch.id, step_id=step.id, leaves=leaves
        )
    for lot, container in traced.lots:
        await materials.record_use(session, user, lot, container, batch.id, step.id, "used")
    container = None
    if (weighing := traced.weighing) is not None:
        assert traced.numbering is not None
        container = await materials.dispense(
            session,
            user,
            weighing.lot,
            quantity=weighing.net,
            unit=weighing.unit,
            taken=weighing.taken,
            batch_id=batch.id,
            step_id=step.id,
            source=weighing.source,
            balance_id=weighing.balance.id,
            numbering=traced.numbering,
        )
    return container, await _overrides(session, user, batch, step, traced)


async def _overrides(
    session: AsyncSession, user: User, batch: Batch, step: Step, traced: Traced
) -> list[Deviation]:
    signer = traced.override_signer
    if signer is None:
        return []
    opened = []
    for refused in traced.overridden:
        deviation = await deviations.open_deviation(
            session,
            signer,
            batch_id=batch.id,
            batch_number=batch.batch_number,
            step_id=step.id,
            kind="material_override",
            severity="major",
            title=f"Material used despite refusal: {refused.code.replace('_', ' ')}",
            detail=f"{refused.detail} Overridden by {signer.full_name}.",
            field=refused.field,
            comment=traced.override_reason,
        )
        await signatures.apply(
            session,
            signer,
            "approved",
            {
                "deviation": deviation.number,
                "refusal": refused.detail,
                "reason": traced.override_reason,
            },
            batch_id=batch.id,
            signed_in=user,
        )
        opened.append(deviation)
    return opened

"""Demo history for process analytics: completed and released batches of the granulation,
compression and coating samples, back in time, with a known answer.

Values are drawn around the middle of each alert band and checked by the procedure's own
guardrails (calculations computed by them, alert-band values open a closed deviation,
nothing beyond a hard limit). Two things are hidden on purpose, for the analytics to find:
the granulation end-point power drives the final-blend yield, and the end-of-run tablet
hardness drifts upward. Rows go in by bulk insert, one transaction per procedure; each batch
gets one audit entry on its own chain saying it was imported as demo history, with every
value it holds, so `stepwise audit verify` stays true.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from procedures.exceptions import StepRejected
from procedures.guardrails import Alert, StepOutcome, evaluate_step, is_applicable
from procedures.model import Input, Procedure, Step
from procedures.states import BatchStatus, StepStatus
from server.audit import service as audit
from server.auth import service as auth
from server.batches import operators
from server.batches.models import Batch, BatchOperator, StepRecord, StepValue
from server.clock import utcnow
from server.db.engine import Database
from server.deviations.models import Deviation
from server.deviations.states import DeviationStatus
from server.ids import new_id
from server.library import service as library
from server.library.exceptions import NoEffectiveVersion, ProcedureNotFound

HISTORY_PROCEDURES = {
    "stw101-granulation": "HG",
    "stw101-compression": "HC",
    "stw101-coating": "HF",
}
OPERATORS, VERIFIER, QA = ("olivia", "omar"), "sam", "quinn"
BATCH_SIZE_KG = 12.0
# What `serve --demo` loads: enough for the charts and a ranking, quick to write.
DEMO_HISTORY_BATCHES = 20
Draw = Callable[[random.Random, float, dict[str, Any]], float]


def _granulation_yield(rng: random.Random, _: float, context: dict[str, Any]) -> float:
    # The hidden effect: a higher end-point power (denser granules) loses less as fines.
    effect = 1.8 * (context["end_power_kw"] - 5.2)
    pct = min(99.9, max(93.0, 97.6 + effect + rng.gauss(0, 0.35)))
    return pct / 100 * context["batch_size_kg"]


def _end_hardness(rng: random.Random, progress: float, _: dict[str, Any]) -> float:
    # The drift: punch wear raises hardness slowly over the campaign.
    return 74 + 14 * progress + rng.gauss(0, 2.5)


# Numbers without limits, or with a story: how to draw them from what the batch holds so far.
DRAWS: dict[str, Draw] = {
    "output_kg": _granulation_yield,
    "end_hardness_n": _end_hardness,
    "end_power_kw": lambda rng, _, __: rng.gauss(5.2, 0.3),
    "binder_solution_kg": lambda rng, _, c: c["batch_size_kg"] * rng.gauss(0.295, 0.004),
    "tablets_kg": lambda rng, _, c: c["batch_size_kg"] * rng.gauss(0.975, 0.008),
    "rejects_kg": lambda rng, _, __: rng.uniform(0.05, 0.2),
    "opadry_kg": lambda rng, _, __: rng.gauss(0.54, 0.004),
    "water_kg": lambda rng, _, __: rng.gauss(3.06, 0.02),
    "cores_charged_kg": lambda rng, _, c: c["batch_size_kg"] * rng.gauss(0.96, 0.01),
    "cores_100_g": lambda rng, _, __: rng.gauss(20.0, 0.15),
    "coated_100_g": lambda rng, _, c: c["cores_100_g"] * rng.gauss(1.031, 0.002),
    "coated_tablets_kg": lambda rng, _, c: (
        c["cores_charged_kg"] * (1 + c["weight_gain_pct"] / 100) * rng.gauss(0.988, 0.004)
    ),
}


@dataclass(frozen=True)
class _People:
    operators: list[Any]
    verifier: Any
    qa: Any


async def seed_history(
    session: AsyncSession, *, batches: int, seed: int = 15, end: datetime | None = None
) -> int:
    """Add `batches` historical batches to each sample procedure that has none yet; the
    number of batches added. The caller owns the transaction."""
    people = await _people(session)
    rng = random.Random(seed)
    end = end or utcnow()
    added = 0
    for key, prefix in HISTORY_PROCEDURES.items():
        first = f"{prefix}-{1:04d}"
        if await session.scalar(select(Batch.id).where(Batch.batch_number == first)):
            continue
        try:
            version = await library.effective_version(session, key, None)
        except (ProcedureNotFound, NoEffectiveVersion):
            continue  # a sample not loaded, or retired: no history for it
        definition = library.definition_of(version)
        for index in range(batches):
            started = end - timedelta(days=3 * (batches - index), hours=rng.uniform(0, 8))
            await _add_batch(
                session,
                rng,
                people,
                version,
                definition,
                number=f"{prefix}-{index + 1:04d}",
                progress=index / max(batches - 1, 1),
                started=started,
                released=index < batches - 3,
            )
            added += 1
    return added


async def seed_demo_history(database: Database, batches: int = DEMO_HISTORY_BATCHES) -> int:
    """`seed_history` in a transaction of its own (what `serve --demo` runs)."""
    async with database.sessions()() as session, session.begin():
        return await seed_history(session, batches=batches)


async def _people(session: AsyncSession) -> _People:
    found = {}
    for username in (*OPERATORS, VERIFIER, QA):
        user = await auth.get_user(session, username)
        if user is None:
            raise LookupError(f"demo user {username!r} is missing: run the demo seed first")
        found[username] = user
    return _People([found[name] for name in OPERATORS], found[VERIFIER], found[QA])


async def _add_batch(
    session: AsyncSession,
    rng: random.Random,
    people: _People,
    version: Any,
    definition: Procedure,
    *,
    number: str,
    progress: float,
    started: datetime,
    released: bool,
) -> None:
    batch_id, operator = new_id(), rng.choice(people.operators)
    context: dict[str, Any] = {"batch_size_kg": BATCH_SIZE_KG}
    at, steps, values, deviations, recorded = started, [], [], [], {}
    for position, step in enumerate(definition.steps()):
        record_id, applicable = new_id(), is_applicable(step, context)
        at += timedelta(minutes=rng.uniform(3, 25))
        performer = people.verifier if step.kind == "verification" else operator
        steps.append(
            {
                "id": record_id,
                "batch_id": batch_id,
                "step_id": step.id,
                "operation_id": definition.operation_of(step.id).id,
                "position": position,
                "state": StepStatus.COMPLETED if applicable else StepStatus.SKIPPED,
                "activated_at": at if applicable else None,
                "completed_at": at if applicable else None,
                "completed_by": performer.id if applicable else None,
                "comment": None,
            }
        )
        if not applicable:
            continue
        outcome = _completed(rng, step, progress, context)
        entered = {**outcome.values, **outcome.calculated}
        context.update(entered)
        recorded[step.id] = (outcome.values, outcome.calculated)
        for name, value in entered.items():
            source = "calculated" if name in outcome.calculated else "entered"
            values.append(
                {
                    "id": new_id(),
                    "step_record_id": record_id,
                    "name": name,
                    "value": value,
                    "source": source,
                    "revision": 1,
                    "entered_by": performer.id,
                    "entered_at": at,
                    "reason": None,
                }
            )
        for alert in outcome.alerts:
            serial = f"{number}-DEV-{len(deviations) + 1:03d}"
            deviations.append(_deviation(batch_id, serial, step, alert, performer, people, at))
    completed = at + timedelta(minutes=10)
    decided = completed + timedelta(days=2) if released else None
    row = {
        "id": batch_id,
        "batch_number": number,
        "procedure_version_id": version.id,
        "status": BatchStatus.RELEASED if released else BatchStatus.COMPLETED,
        "parameters": {"batch_size_kg": BATCH_SIZE_KG},
        "created_by": operator.id,
        "created_at": started - timedelta(hours=2),
        "started_at": started,
        "started_by": operator.id,
        "completed_at": completed,
        "decided_at": decided,
        "decided_by": people.qa.id if released else None,
        "decision_comment": "Demo history." if released else None,
    }
    await session.execute(insert(Batch), [row])
    await session.execute(insert(StepRecord), steps)
    await session.execute(insert(BatchOperator), operators.rows_for(row, steps))
    if values:
        await session.execute(insert(StepValue), values)
    if deviations:
        await session.execute(insert(Deviation), deviations)
    await _audit(session, people, version, definition, batch_id, number, steps, recorded)
    for deviation in deviations:
        await _audit_deviation(session, deviation, people)
    status = [(BatchStatus.COMPLETED, "batch.completed", operator)]
    if released:
        status.append((BatchStatus.RELEASED, "batch.released", people.qa))
    for state, action, who in status:
        await audit.record(
            session,
            auth.actor_of(who),
            action,
            "batch",
            batch_id,
            new={"status": str(state)},
            reason=HISTORY_REASON,
            batch_id=batch_id,
        )


HISTORY_REASON = "demo history: a simulated historical batch, written for process analytics"


async def _audit(
    session: AsyncSession,
    people: _People,
    version: Any,
    definition: Procedure,
    batch_id: str,
    number: str,
    steps: list[dict[str, Any]],
    recorded: dict[str, tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    """The trail a batch run through the API would leave, in the replay's vocabulary, each
    entry saying it is demo history (the entries are dated now, the batch in the past)."""
    operator = next(p for p in people.operators if p.id == steps[0]["completed_by"])
    await audit.record(
        session,
        auth.actor_of(operator),
        "batch.created",
        "batch",
        batch_id,
        new={
            "batch_number": number,
            "procedure": definition.key,
            "version": version.version,
            "content_hash": version.content_hash,
            "parameters": {"batch_size_kg": BATCH_SIZE_KG},
        },
        reason=HISTORY_REASON,
        batch_id=batch_id,
    )
    for step in steps:
        if step["state"] == StepStatus.SKIPPED:
            await audit.record(
                session,
                audit.SYSTEM,
                "step.skipped",
                "step",
                step["id"],
                old={"state": "pending"},
                new={"state": "skipped", "step_id": step["step_id"]},
                reason=HISTORY_REASON,
                batch_id=batch_id,
            )
            continue
        entered, calculated = recorded.get(step["step_id"], ({}, {}))
        await audit.record(
            session,
            audit.SYSTEM,
            "step.completed",
            "step",
            step["id"],
            old={"state": "active"},
            new={
                "state": "completed",
                "step_id": step["step_id"],
                "performer_id": step["completed_by"],
                "values": entered,
                "calculated": calculated,
                "comment": None,
            },
            reason=HISTORY_REASON,
            batch_id=batch_id,
        )


async def _audit_deviation(
    session: AsyncSession, deviation: dict[str, Any], people: _People
) -> None:
    opener = next(p for p in (*people.operators, people.verifier) if p.id == deviation["opened_by"])
    fields = ("number", "kind", "severity", "title", "step_id", "field", "value", "detail")
    for actor, action, new in (
        (opener, "deviation.opened", {name: deviation[name] for name in fields}),
        (people.qa, "deviation.closed", {"status": "closed"}),
    ):
        await audit.record(
            session,
            auth.actor_of(actor),
            action,
            "deviation",
            deviation["id"],
            new=new,
            reason=HISTORY_REASON,
            batch_id=deviation["batch_id"],
        )


def _completed(rng: random.Random, step: Step, progress: float, context: dict[str, Any]) -> Any:
    """Values for the step the guardrails accept (drawn again when one breaks a hard limit).
    Photos are left out: the history has no images, and says so by having no photo value."""
    if step.inputs and all(item.type == "photo" for item in step.inputs):
        return StepOutcome({}, {}, [])
    for _ in range(50):
        proposed = {item.name: _value(rng, item, progress, context) for item in step.inputs}
        proposed = {name: value for name, value in proposed.items() if value is not None}
        try:
            return evaluate_step(step, proposed, context, comment="Within the hard limits.")
        except StepRejected:
            continue
    raise RuntimeError(f"no acceptable demo values for step {step.id}")


def _value(rng: random.Random, item: Input, progress: float, context: dict[str, Any]) -> Any:
    if item.type == "boolean":
        return True
    if item.type == "choice":
        assert item.choices is not None
        return item.choices[0]
    if item.type == "scan":
        return f"{item.name.removesuffix('_id').upper()}-{rng.randint(1, 2):02d}"
    if item.type != "number":
        return None if not item.required or item.type == "photo" else "as expected"
    draw = DRAWS.get(item.name)
    value = draw(rng, progress, {**context}) if draw is not None else _around_target(rng, item)
    return round(value, item.decimals if item.decimals is not None else 2)


def _around_target(rng: random.Random, item: Input) -> float:
    limits = item.limits
    if limits is None:
        return rng.uniform(1, 10)
    low = next((v for v in (limits.alert_min, limits.min) if v is not None), None)
    high = next((v for v in (limits.alert_max, limits.max) if v is not None), None)
    if low is None or high is None:
        edge = low if low is not None else high
        assert edge is not None
        return edge + (abs(edge) * 0.15 or 0.1) * (1 if low is not None else -1) * rng.random()
    return rng.gauss((low + high) / 2, (high - low) / 7)


def _deviation(
    batch_id: str,
    number: str,
    step: Step,
    alert: Alert,
    performer: Any,
    people: _People,
    at: datetime,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "number": number,
        "batch_id": batch_id,
        "step_id": step.id,
        "kind": "alert_limit",
        "severity": alert.severity,
        "status": DeviationStatus.CLOSED,
        "title": f"{alert.field} in the alert band",
        "detail": alert.message,
        "field": alert.field,
        "value": alert.value,
        "limits": alert.limit,
        "comment": "Within the hard limits.",
        "opened_by": performer.id,
        "opened_at": at,
        "blocking": False,
        "impact": "None.",
        "root_cause": "Normal variation.",
        "capa": [],
        "conclusion": "No impact on quality.",
        "cancel_reason": None,
        "updated_at": at,
        "closed_by": people.qa.id,
        "closed_at": at + timedelta(days=1),
        "signature_id": None,
    }

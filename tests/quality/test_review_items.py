"""The review items of a batch, assembled from plain data (no database, no server)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from procedures.loader import load_procedure_file
from procedures.states import BatchStatus, StepStatus
from server.audit.models import AuditEntry
from server.batches.models import Batch, BatchHold, HoldApproval, StepRecord, StepValue
from server.deviations.models import Deviation
from server.deviations.states import DeviationStatus
from server.review.items import BatchFacts, Person, review_items
from server.review.readiness import blockers, incomplete_steps
from tests.api.fixtures import DATA

T0 = datetime(2026, 11, 25, 6, 30, tzinfo=UTC)
PEOPLE = {"u-olivia": Person("olivia", "Olivia Operator"), "u-sam": Person("sam", "Sam Supervisor")}


def _value(name: str, value: object, revision: int, minutes: int, **extra: object) -> StepValue:
    return StepValue(
        id=f"v-{name}-{revision}",
        step_record_id="r-weigh",
        name=name,
        value=value,
        source=extra.pop("source", "entered"),
        revision=revision,
        entered_by="u-olivia",
        entered_at=T0 + timedelta(minutes=minutes),
        reason=extra.pop("reason", None),
    )


def _facts() -> BatchFacts:
    weigh = StepRecord(
        id="r-weigh",
        step_id="weigh",
        state=StepStatus.COMPLETED,
        values=[
            _value("net_kg", 10.7, 1, 5),
            _value("net_kg", 10.4, 2, 40, reason="misread the display"),
            _value("appearance", "conforms", 1, 5),
        ],
    )
    verify = StepRecord(id="r-verify", step_id="verify_weigh", state=StepStatus.ACTIVE, values=[])
    batch = Batch(id="b-1", batch_number="B-1", status=BatchStatus.ON_HOLD, steps=[weigh, verify])
    deviation = Deviation(
        id="d-1",
        number="B-1-DEV-001",
        batch_id="b-1",
        step_id="weigh",
        kind="alert_limit",
        severity="minor",
        status=DeviationStatus.OPEN,
        title="Net weight in the alert band",
        detail="10.7 kg is above 10.5 kg",
        field="net_kg",
        value=10.7,
        opened_by="u-olivia",
        opened_at=T0 + timedelta(minutes=5),
    )
    hold = BatchHold(
        id="h-1",
        batch_id="b-1",
        step_id="weigh",
        deviation_id="d-1",
        reason="Blocking alert limit.",
        raised_by="u-olivia",
        raised_at=T0 + timedelta(minutes=6),
        approvals_required=2,
        approvals=[HoldApproval(user_id="u-sam", approved_at=T0 + timedelta(minutes=9))],
    )
    refusal = AuditEntry(
        seq=42,
        at=T0 + timedelta(minutes=7),
        actor_id="u-olivia",
        actor="olivia (Olivia Operator)",
        action="step.signature_refused",
        entity_type="step",
        entity_id="r-verify",
        batch_id="b-1",
        new='{"act":"verifying step \'weigh\'","meaning":"verified","signed_by":"olivia",'
        '"step_id":"verify_weigh","values":{}}',
        reason="Step 'weigh' must be verified by a different person.",
    )
    return BatchFacts(
        batch=batch,
        definition=load_procedure_file(DATA / "test_line.yaml"),
        deviations=[deviation],
        holds=[hold],
        refusals=[refusal],
        people=PEOPLE,
    )


def test_items_have_stable_ids_and_come_oldest_first() -> None:
    items = review_items(_facts())

    assert [i.id for i in items] == [
        "deviation:d-1",
        "hold:h-1",
        "signature_refused:42",
        "correction:v-net_kg-2",
    ]
    assert [i.id for i in review_items(_facts())] == [i.id for i in items]


def test_each_item_carries_its_step_and_the_procedures_limits() -> None:
    deviation, hold, refused, correction = review_items(_facts())

    assert (deviation.step_title, deviation.unit) == ("Weigh the granules", "kg")
    assert deviation.limits == {"min": 9.0, "max": 11.0, "alert_min": 9.5, "alert_max": 10.5}
    assert (correction.old_value, correction.new_value) == (10.7, 10.4)
    assert correction.reason == "misread the display" and correction.by == PEOPLE["u-olivia"]
    assert hold.deviation_number == "B-1-DEV-001" and hold.deviation_status == "open"
    assert "Sam Supervisor" in hold.detail and "(1 of 2)" in hold.detail
    assert refused.step_id == "verify_weigh" and "olivia signing 'verified'" in refused.detail


def test_release_blockers_name_every_reason() -> None:
    facts = _facts()
    items = review_items(facts)

    found = blockers(
        facts.batch,
        incomplete_steps(facts.batch, facts.definition),
        facts.deviations,
        items,
        reviewed={"hold:h-1"},
    )

    assert [(b.code, b.field) for b in found] == [
        ("step_incomplete", "steps.verify_weigh"),
        ("deviation_unresolved", "deviations.d-1"),
        ("item_unreviewed", "items.deviation:d-1"),
        ("item_unreviewed", "items.signature_refused:42"),
        ("item_unreviewed", "items.correction:v-net_kg-2"),
        ("batch_on_hold", "status"),
    ]

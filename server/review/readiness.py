"""Whether a batch may be released, and if not, every reason why.

Pure like `items`: from the batch's rows, its deviations and its review items.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from procedures.model import Procedure
from procedures.states import BatchStatus, StepStatus
from server.batches.models import Batch
from server.deviations.models import Deviation
from server.review.items import ReviewItem

INCOMPLETE = (StepStatus.PENDING, StepStatus.ACTIVE)
# Signatures given by the review itself are not data of the batch.
REVIEW_MEANINGS = frozenset({"reviewed", "released", "rejected"})


@dataclass(frozen=True)
class IncompleteStep:
    """A step still to be done: pending or active."""

    step_id: str
    title: str
    state: str


@dataclass(frozen=True)
class Blocker:
    """One reason a batch may not be released: what it concerns (`field`, as in a problem
    document), why (`code`) and what a person reads."""

    field: str
    code: str
    message: str


def incomplete_steps(batch: Batch, definition: Procedure) -> list[IncompleteStep]:
    """The steps of the batch not completed or skipped yet, in procedure order."""
    titles = {step.id: step.title for step in definition.steps()}
    return [
        IncompleteStep(r.step_id, titles.get(r.step_id, r.step_id), str(r.state))
        for r in batch.steps
        if r.state in INCOMPLETE
    ]


def blockers(
    batch: Batch,
    incomplete: Sequence[IncompleteStep],
    deviations: Sequence[Deviation],
    items: Sequence[ReviewItem],
    reviewed: Collection[str],
) -> list[Blocker]:
    """Every reason the batch may not be released yet: incomplete steps, unresolved
    deviations, unreviewed items, a hold."""
    found = [
        Blocker(f"steps.{s.step_id}", "step_incomplete", f"Step {s.title!r} is {s.state}.")
        for s in incomplete
    ]
    found += [
        Blocker(
            f"deviations.{d.id}", "deviation_unresolved", f"Deviation {d.number} is {d.status}."
        )
        for d in deviations
        if d.status.unresolved
    ]
    found += [
        Blocker(f"items.{i.id}", "item_unreviewed", f"Not reviewed yet: {i.title}.")
        for i in items
        if i.id not in reviewed
    ]
    if batch.status is BatchStatus.ON_HOLD:
        found.append(Blocker("status", "batch_on_hold", "The batch is on hold."))
    return found


def data_points(batch: Batch, signature_meanings: Sequence[str], material_uses: int) -> int:
    """How much the batch recorded, against which the exceptions are read: every recorded
    value (each revision, typed, scanned, weighed or calculated), every signature given while
    making it (not the reviewer's own), and every lot or container it used."""
    values = sum(len(record.values) for record in batch.steps)
    signatures = sum(1 for meaning in signature_meanings if meaning not in REVIEW_MEANINGS)
    return values + signatures + material_uses

"""Batch API shapes: the electronic batch record as clients see it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from procedures.model import Procedure as ProcedureDefinition
from procedures.states import StepStatus
from server.auth.models import User
from server.batches.hold_views import HoldView
from server.batches.listing import BatchRow
from server.batches.models import Batch, StepRecord
from server.batches.record import SignedRevisions, current_values, signed_revisions
from server.batches.service import BatchRecord, Completion, Correction
from server.clock import isoformat
from server.deviations.schemas import DeviationOut
from server.library import service as library
from server.library.models import ProcedureVersion
from server.materials.schemas import ContainerOut
from server.signatures.models import Signature
from server.web.paths import MAX_VERSION
from server.web.people import PersonOut
from server.web.schemas import SignatureIn, Strict, UserRef


def user_ref(user: User | None) -> UserRef | None:
    return UserRef(id=user.id, username=user.username, full_name=user.full_name) if user else None


class CreateBatchIn(Strict):
    procedure: str = Field(min_length=1, max_length=100)
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)
    batch_number: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")
    parameters: dict[str, Any] = Field(default_factory=dict)


class OverrideIn(Strict):
    """A supervisor's e-signed decision (meaning `approved`) to use a refused lot."""

    reason: str = Field(min_length=1, max_length=4000)
    signature: SignatureIn


class CompleteStepIn(Strict):
    values: dict[str, Any] = Field(default_factory=dict)
    comment: str | None = Field(default=None, max_length=4000)
    signature: SignatureIn | None = None
    override: OverrideIn | None = None


class CorrectStepIn(Strict):
    values: dict[str, Any] = Field(min_length=1)
    reason: str = Field(min_length=1, max_length=4000)
    comment: str | None = Field(default=None, max_length=4000)
    signature: SignatureIn | None = Field(
        default=None,
        description="The corrector's own e-signature, meaning `corrected`: required when the "
        "step, a calculation the correction changes, or its verification carries a signature.",
    )


class SignatureOut(BaseModel):
    """A signature with its manifestation (§11.50): name, date and time, meaning."""

    id: str
    username: str
    full_name: str
    meaning: str
    signed_at: datetime
    content_hash: str
    manifestation: str
    revisions: dict[str, int] = Field(
        description="The revision of each value this signature applies to."
    )
    superseded: bool = Field(
        description="A later correction changed what was signed: it applies to superseded values."
    )

    @classmethod
    def of(cls, signature: Signature, signed: SignedRevisions) -> SignatureOut:
        return cls(
            id=signature.id,
            username=signature.username,
            full_name=signature.full_name,
            meaning=signature.meaning,
            signed_at=signature.signed_at,
            content_hash=signature.content_hash,
            manifestation=(
                f"{signature.full_name} ({signature.username}), "
                f"{isoformat(signature.signed_at)}, {signature.meaning}"
            ),
            revisions=signed.revisions,
            superseded=signed.superseded,
        )


class ValueRevisionOut(BaseModel):
    """One entry of a value's history: the first entry, then each correction."""

    name: str
    value: Any
    source: str
    revision: int
    entered_by: UserRef
    entered_at: datetime
    reason: str | None


class StepOut(BaseModel):
    id: str = Field(description="The step record's id: the audit trail names it (`step:<id>`).")
    step_id: str
    operation_id: str
    position: int
    title: str
    kind: str
    state: str
    definition: dict[str, Any]
    activated_at: datetime | None
    completed_at: datetime | None
    completed_by: UserRef | None
    comment: str | None
    values: dict[str, Any]
    sources: dict[str, str] = Field(
        description="Where each value came from: entered, scan, balance, manual, dispensed."
    )
    calculated: dict[str, Any]
    corrected: bool
    dispense_target: dict[str, Any] | None = Field(
        default=None, description="Dispense steps: {quantity, low, high, unit} for this batch."
    )
    history: list[ValueRevisionOut]
    signatures: list[SignatureOut]
    needs_reverification: bool = Field(
        description="A verification whose verified values were corrected after it was signed."
    )
    deviations: list[DeviationOut]

    @classmethod
    def of(cls, record: StepRecord, definition: dict[str, Any], batch: BatchRecord) -> StepOut:
        current = {v.name: v for v in record.values}
        covered = _covered_record(record, definition, batch)
        signatures = [
            SignatureOut.of(s, signed_revisions(covered.values, s.signed_at))
            for s in batch.signatures
            if s.step_record_id == record.id
        ]
        return cls(
            id=record.id,
            step_id=record.step_id,
            operation_id=record.operation_id,
            position=record.position,
            title=definition["title"],
            kind=definition["kind"],
            state=record.state,
            definition=definition,
            activated_at=record.activated_at,
            completed_at=record.completed_at,
            completed_by=user_ref(record.performer),
            comment=record.comment,
            values={n: v.value for n, v in current.items() if v.source != "calculated"},
            sources={n: v.source for n, v in current.items() if v.source != "calculated"},
            calculated={n: v.value for n, v in current.items() if v.source == "calculated"},
            corrected=any(v.revision > 1 for v in record.values),
            dispense_target=(
                target.to_json() if (target := batch.dispense_targets.get(record.step_id)) else None
            ),
            history=[
                ValueRevisionOut(
                    name=v.name,
                    value=v.value,
                    source=v.source,
                    revision=v.revision,
                    entered_by=user_ref(v.author),
                    entered_at=v.entered_at,
                    reason=v.reason,
                )
                for v in record.values
            ],
            signatures=signatures,
            needs_reverification=definition["kind"] == "verification"
            and any(s.superseded for s in signatures if s.meaning == "verified"),
            deviations=[
                DeviationOut.of(d) for d in batch.deviations if d.step_id == record.step_id
            ],
        )


def _covered_record(
    record: StepRecord, definition: dict[str, Any], batch: BatchRecord
) -> StepRecord:
    """The record whose values a step's signatures apply to: a verification signs the values
    of the step it verifies."""
    verifies = definition.get("verifies")
    if definition["kind"] != "verification" or verifies is None:
        return record
    return next((r for r in batch.batch.steps if r.step_id == verifies), record)


class HoldApprovalOut(BaseModel):
    """One continuation approval of a hold (who, when, why)."""

    by: PersonOut | None = Field(description="Null only if the approver is unknown.")
    at: datetime
    comment: str | None


class HoldOut(BaseModel):
    """A blocking exception that held the batch, and the continuation approvals it got."""

    id: str
    step_id: str | None
    deviation_id: str | None
    deviation_number: str | None
    reason: str
    raised_by: PersonOut
    raised_at: datetime
    approvals_required: int = Field(description="Continuation approvals the hold needs (1 or 2).")
    approvals: list[HoldApprovalOut]
    lifted_at: datetime | None = Field(description="When the last approval lifted it.")

    @classmethod
    def of(cls, view: HoldView) -> HoldOut:
        return cls.model_validate(view.describe())


class ApproveHoldIn(Strict):
    """A supervisor's or QA's e-signed approval to continue (meaning `approved`)."""

    signature: SignatureIn
    comment: str | None = Field(default=None, max_length=4000)


class ProcedureRef(BaseModel):
    key: str
    title: str
    version: int
    content_hash: str


class Progress(BaseModel):
    total: int
    completed: int
    skipped: int


class BatchSummary(BaseModel):
    id: str
    batch_number: str
    status: str
    procedure: ProcedureRef
    parameters: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    current_step: str | None
    current_step_title: str | None = Field(
        default=None, description="The procedure's title of the current step, for people."
    )
    progress: Progress
    open_deviations: int = Field(default=0, description="Deviations open or investigating.")

    @classmethod
    def summary_fields(
        cls, batch: Batch, definition: ProcedureDefinition | None = None
    ) -> dict[str, Any]:
        states = [record.state for record in batch.steps]
        active = [record.step_id for record in batch.steps if record.state == StepStatus.ACTIVE]
        progress = Progress(
            total=len(states),
            completed=states.count(StepStatus.COMPLETED),
            skipped=states.count(StepStatus.SKIPPED),
        )
        return cls.row_fields(
            batch, batch.procedure_version, active[0] if active else None, progress, definition
        )

    @classmethod
    def row_fields(
        cls,
        batch: Batch,
        version: ProcedureVersion,
        current_step: str | None,
        progress: Progress,
        definition: ProcedureDefinition | None = None,
    ) -> dict[str, Any]:
        """The fields of a summary from the batch row, its version, active step and counts;
        `definition` is the one the batch follows when known (default: its version's, where
        a step a redline added has no title)."""
        steps = {step.id: step for step in (definition or library.definition_of(version)).steps()}
        current = steps.get(current_step) if current_step else None
        return {
            "id": batch.id,
            "batch_number": batch.batch_number,
            "status": batch.status,
            "procedure": ProcedureRef(
                key=version.procedure.key,
                title=version.procedure.title,
                version=version.version,
                content_hash=version.content_hash,
            ),
            "parameters": batch.parameters,
            "created_at": batch.created_at,
            "started_at": batch.started_at,
            "completed_at": batch.completed_at,
            "current_step": current_step,
            "current_step_title": current.title if current else None,
            "progress": progress,
        }

    @classmethod
    def of_row(cls, row: BatchRow) -> BatchSummary:
        """A row of the batch list."""
        progress = Progress(total=row.total, completed=row.completed, skipped=row.skipped)
        fields = cls.row_fields(row.batch, row.version, row.current_step, progress)
        return cls(**fields, open_deviations=row.open_deviations)


class BatchOut(BatchSummary):
    """The whole electronic batch record."""

    created_by: UserRef | None = Field(description="Who created the batch.")
    started_by: UserRef | None = Field(
        description="Who started the batch (None until it is started)."
    )
    steps: list[StepOut]
    deviations: list[DeviationOut]
    holds: list[HoldOut] = Field(description="Every hold of the batch, the newest last.")
    event_seq: int | None = Field(
        None,
        description="The seq of the batch's newest event as the record was read (GET of the "
        "batch only): a client following the batch's events has them all once it received it.",
    )

    @classmethod
    def of_record(cls, record: BatchRecord) -> BatchOut:
        definitions = {
            step.id: step.model_dump(mode="json", exclude_none=True)
            for step in record.definition.steps()
        }
        return cls(
            **cls.summary_fields(record.batch, record.definition),
            created_by=user_ref(record.creator),
            started_by=user_ref(record.starter),
            steps=[StepOut.of(s, definitions[s.step_id], record) for s in record.batch.steps],
            deviations=[DeviationOut.of(d) for d in record.deviations],
            open_deviations=sum(d.status.unresolved for d in record.deviations),
            holds=[HoldOut.of(view) for view in record.holds],
        )


class CompletionOut(BaseModel):
    result: str
    step_id: str
    deviations: list[DeviationOut]
    next_step: str | None
    batch_status: str
    container: ContainerOut | None = None

    @classmethod
    def of(cls, completion: Completion) -> CompletionOut:
        container = completion.container
        return cls(
            result=completion.result,
            step_id=completion.record.step_id,
            deviations=[DeviationOut.of(d) for d in completion.deviations],
            next_step=completion.next_step,
            batch_status=completion.batch.status,
            container=ContainerOut.of(container) if container else None,
        )


class CorrectionOut(BaseModel):
    step_id: str
    values: dict[str, Any]
    recalculated: dict[str, dict[str, Any]] = Field(
        description="Calculations of other steps recomputed from the corrected values, by step."
    )
    deviations: list[DeviationOut]

    @classmethod
    def of(cls, correction: Correction) -> CorrectionOut:
        return cls(
            step_id=correction.record.step_id,
            values=current_values(correction.record),
            recalculated=correction.recalculated,
            deviations=[DeviationOut.of(d) for d in correction.deviations],
        )

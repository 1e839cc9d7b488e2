"""The electronic batch record as data: what the JSON export holds and the PDF shows.

The JSON Schema another system imports against is generated from these models. The record
holds no time of export, so the same batch in the same state always gives the same record
and the same SHA-256 (the PDF footers carry it, so PDF and JSON can be matched).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.deviations.facts import DeviationFacts

SCHEMA_ID = "/api/v1/schemas/batch-record.json"
RECORD_FORMAT = "stepwise.batch-record/1"


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(_Part):
    username: str
    full_name: str


class SignatureEntry(_Part):
    """An e-signature with its manifestation (21 CFR 11.50): printed name, UTC time, meaning."""

    id: str
    username: str
    full_name: str
    meaning: str
    signed_at: datetime
    content_hash: str = Field(description="SHA-256 of what was signed (11.70).")
    manifestation: str = Field(description="'Full Name — YYYY-MM-DD HH:MM:SS UTC — meaning'.")


class Limits(_Part):
    min: float | None = None
    max: float | None = None
    alert_min: float | None = None
    alert_max: float | None = None


class Revision(_Part):
    """One entry of a value: revision 1 is the first entry, each later one a correction."""

    revision: int
    value: Any
    source: str
    entered_by: Person
    entered_at: datetime
    reason: str | None


class Correction(_Part):
    """A value changed after its first entry (EU GMP Annex 11 §8.2): old, new, who, when, why."""

    name: str
    revision: int
    old: Any
    new: Any
    by: Person
    at: datetime
    reason: str | None


class RecordedValue(_Part):
    name: str
    label: str
    role: Literal["input", "calculation"]
    type: str
    unit: str | None
    limits: Limits | None
    value: Any = Field(description="The current (latest) value.")
    source: str = Field(description="entered, scan, balance, manual, dispensed or calculated.")
    manual: bool = Field(description="A weight typed in where the procedure expects a balance.")
    alert: bool = Field(description="Inside the hard limits but outside the alert band.")
    revisions: list[Revision]


class MaterialUseEntry(_Part):
    step_id: str
    kind: str
    material_code: str
    material_name: str
    lot_number: str
    container_number: str | None
    quantity: str | None
    unit: str | None
    at: datetime
    by: Person


class ContainerEntry(_Part):
    step_id: str
    number: str
    material_code: str
    material_name: str
    lot_number: str
    quantity: str
    unit: str
    source: str
    manual: bool
    balance: str | None
    at: datetime
    by: Person


class AttachmentEntry(_Part):
    """A photo or snapshot, named by the SHA-256 of its bytes."""

    id: str
    step_id: str | None
    kind: str
    caption: str | None
    sha256: str
    media_type: str
    size: int
    attached_at: datetime
    attached_by: str


class StepEntry(_Part):
    step_id: str
    operation_id: str
    operation_title: str
    position: int
    title: str
    kind: str
    instruction: str
    state: str
    result: Literal["ok", "alert"] | None
    activated_at: datetime | None
    completed_at: datetime | None
    completed_by: Person | None
    comment: str | None
    values: list[RecordedValue]
    corrections: list[Correction]
    signatures: list[SignatureEntry]
    material_uses: list[MaterialUseEntry]
    containers: list[ContainerEntry]
    attachments: list[str] = Field(description="Ids of the step's attachments.")
    deviations: list[str] = Field(description="Numbers of the deviations raised at the step.")


class AuditRecord(_Part):
    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    old: Any = None
    new: Any = None
    reason: str | None
    chain: str | None = Field(
        description="The hash chain of the entry (`batch:<id>`); null before per-batch chains."
    )
    chain_seq: int | None = Field(description="The entry's place in its chain.")
    prev_hash: str = Field(description="The hash of the chain's entry before this one.")
    hash: str


class AuditChainHead(_Part):
    """The newest entry of the batch's own hash chain when the record was made: the record
    holds the whole chain up to it, so the batch can be verified on its own."""

    chain: str
    chain_seq: int
    seq: int
    hash: str


class DeviationEntry(_Part, DeviationFacts):
    opened_by: Person
    opened_at: datetime
    updated_at: datetime | None
    closed_by: Person | None
    closed_at: datetime | None
    history: list[AuditRecord]


class HoldApprovalEntry(_Part):
    by: Person
    at: datetime
    comment: str | None
    signature: SignatureEntry | None


class HoldEntry(_Part):
    id: str
    step_id: str | None
    deviation_number: str | None
    reason: str
    raised_by: Person
    raised_at: datetime
    approvals_required: int
    approvals: list[HoldApprovalEntry]
    lifted_at: datetime | None


class ReviewMarkEntry(_Part):
    item_id: str
    by: Person
    at: datetime
    comment: str | None
    signature: SignatureEntry | None


class DecisionEntry(_Part):
    decision: Literal["released", "rejected"]
    by: Person
    at: datetime
    comment: str | None
    signature: SignatureEntry | None


class RedlineEntry(_Part):
    """An in-run change to the master procedure for this batch only, and its decision."""

    number: int
    status: Literal["proposed", "approved", "rejected"]
    reason: str
    changes: list[str] = Field(description="Each change to the master, one sentence each.")
    diff: dict[str, Any] = Field(description="The change as the procedure version diff gives it.")
    base_hash: str = Field(description="SHA-256 of the definition it was proposed against.")
    content_hash: str = Field(description="SHA-256 of the definition the batch follows after it.")
    proposed_by: Person
    proposed_at: datetime
    decided_by: Person | None
    decided_at: datetime | None
    decision_comment: str | None
    deviation_number: str | None = Field(description="The procedure_change deviation it opened.")
    signature: SignatureEntry | None = Field(description="QA's approval.")


class ParameterEntry(_Part):
    name: str
    label: str
    value: Any
    unit: str | None


class Header(_Part):
    batch_id: str
    batch_number: str
    product: str | None
    procedure_key: str
    procedure_title: str
    version: int
    content_hash: str = Field(description="SHA-256 of the approved procedure version.")
    parameters: list[ParameterEntry] = Field(description="Batch size and other parameters.")
    status: str
    released: bool
    created_by: Person
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    decided_at: datetime | None


class BatchRecordDocument(_Part):
    """The whole electronic batch record of one batch."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Stepwise electronic batch record")

    format: Literal["stepwise.batch-record/1"] = RECORD_FORMAT
    header: Header
    steps: list[StepEntry]
    deviations: list[DeviationEntry]
    holds: list[HoldEntry]
    redlines: list[RedlineEntry] = Field(
        description="Changes to the master procedure for this batch, in the order proposed."
    )
    attachments: list[AttachmentEntry]
    signatures: list[SignatureEntry] = Field(
        description="Every e-signature applied in the batch, in the order given."
    )
    review: list[ReviewMarkEntry]
    decision: DecisionEntry | None
    audit_trail: list[AuditRecord]
    audit_chain: AuditChainHead | None = Field(
        description="The head of the batch's audit chain (null while it has no entries)."
    )

    def document(self) -> dict[str, Any]:
        """The record as JSON data: what is exported and hashed."""
        return self.model_dump(mode="json")


def record_json_schema() -> dict[str, Any]:
    """The published JSON Schema of the record."""
    schema = BatchRecordDocument.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}

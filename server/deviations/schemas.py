"""Deviation API shapes: a deviation with its facts, decision, signatures and history."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from procedures.model import Procedure as ProcedureDefinition
from procedures.model import Severity, Step
from server.audit.models import AuditEntry
from server.deviations.facts import DeviationFacts, deviation_facts
from server.deviations.models import Deviation
from server.web.people import PersonOut
from server.web.schemas import SignatureIn, Strict

TEXT = 4000
CapaReference = Annotated[str, Field(min_length=1, max_length=200)]


class DeviationSignatureOut(BaseModel):
    """The closing or cancelling e-signature, with its manifestation (§11.50)."""

    full_name: str
    username: str
    meaning: str
    signed_at: datetime


class HistoryEntryOut(BaseModel):
    """One audited change of the deviation."""

    at: datetime
    actor: str
    action: str
    old: Any = None
    new: Any = None
    reason: str | None

    @classmethod
    def of(cls, entry: AuditEntry) -> HistoryEntryOut:
        return cls(
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            old=_loaded(entry.old),
            new=_loaded(entry.new),
            reason=entry.reason,
        )


def _step_in(definition: ProcedureDefinition | None, step_id: str | None) -> Step | None:
    if definition is None or step_id is None:
        return None
    return next((step for step in definition.steps() if step.id == step_id), None)


def _loaded(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class DeviationOut(DeviationFacts):
    detail: str = Field(description="The description of what departed from the procedure.")
    batch_id: str
    batch_number: str
    opened_by: PersonOut
    opened_at: datetime
    updated_at: datetime | None
    closed_by: PersonOut | None
    closed_at: datetime | None
    signatures: list[DeviationSignatureOut]
    history: list[HistoryEntryOut] = Field(
        description="Every audited change, oldest first (only when one deviation is read)."
    )
    step_title: str | None = Field(
        default=None,
        description="The step's title, for people to read (GET /deviations and /deviations/{id}).",
    )
    field_label: str | None = Field(
        default=None,
        description="The value's label in the procedure, for people to read (as step_title).",
    )

    @classmethod
    def of(
        cls,
        deviation: Deviation,
        history: list[AuditEntry] | None = None,
        definition: ProcedureDefinition | None = None,
    ) -> DeviationOut:
        """`definition`: the batch's procedure, to name the step and value as people read them."""
        signed = deviation.signature
        opener = PersonOut.of(deviation.opener)
        assert opener is not None
        step = _step_in(definition, deviation.step_id)
        return cls(
            **deviation_facts(deviation),
            step_title=step.title if step else None,
            field_label=step.label_of(deviation.field) if step and deviation.field else None,
            batch_id=deviation.batch_id,
            batch_number=deviation.batch.batch_number,
            opened_by=opener,
            closed_by=PersonOut.of(deviation.closer),
            signatures=[
                DeviationSignatureOut(
                    full_name=signed.full_name,
                    username=signed.username,
                    meaning=signed.meaning,
                    signed_at=signed.signed_at,
                )
            ]
            if signed
            else [],
            history=[HistoryEntryOut.of(entry) for entry in history or []],
        )


class UpdateDeviationIn(Strict):
    """New facts of an investigation; fields left out stay as they are."""

    description: str | None = Field(default=None, min_length=1, max_length=TEXT)
    impact: str | None = Field(default=None, min_length=1, max_length=TEXT)
    root_cause: str | None = Field(default=None, min_length=1, max_length=TEXT)
    capa: list[CapaReference] | None = Field(
        default=None, max_length=50, description="CAPA references (replace the list)."
    )
    severity: Severity | None = Field(default=None, description="QA only.")
    reason: str | None = Field(default=None, max_length=TEXT)


class CloseDeviationIn(Strict):
    conclusion: str = Field(min_length=1, max_length=TEXT)
    signature: SignatureIn = Field(description="QA's e-signature, meaning `approved`.")


class CancelDeviationIn(Strict):
    reason: str = Field(min_length=1, max_length=TEXT)
    signature: SignatureIn = Field(description="QA's e-signature, meaning `approved`.")


class ObservationIn(Strict):
    """A departure someone on the floor noticed and reports."""

    title: str = Field(min_length=1, max_length=300)
    description: str = Field(min_length=1, max_length=TEXT)
    step_id: str | None = Field(default=None, min_length=1, max_length=100)
    severity: Severity = "minor"

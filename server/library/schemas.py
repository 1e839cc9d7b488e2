"""Procedure library API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, RootModel

from server.library.drafts import Rejection
from server.library.models import Procedure, ProcedureVersion
from server.signatures.models import Signature
from server.web.people import PersonOut
from server.web.schemas import SignatureIn, Strict


class VersionSummary(BaseModel):
    version: int
    status: str = Field(description="draft, in_review, approved or retired")
    content_hash: str
    source_name: str
    created_at: datetime
    approved_at: datetime | None
    revision: int = Field(
        description="Edits of the definition so far; send it back as If-Match to edit a draft."
    )
    edited_at: datetime

    @classmethod
    def of(cls, version: ProcedureVersion) -> VersionSummary:
        return cls(
            version=version.version,
            status=version.status,
            content_hash=version.content_hash,
            source_name=version.source_name,
            created_at=version.created_at,
            approved_at=version.approved_at,
            revision=version.revision,
            edited_at=version.edited_at,
        )


class ProcedureOut(BaseModel):
    key: str
    title: str
    versions: list[VersionSummary]

    @classmethod
    def of(cls, procedure: Procedure) -> ProcedureOut:
        return cls(
            key=procedure.key,
            title=procedure.title,
            versions=[VersionSummary.of(v) for v in procedure.versions],
        )


class ApprovalOut(BaseModel):
    """The approving e-signature with its manifestation (21 CFR 11.50): printed name, date
    and time (UTC), meaning."""

    username: str
    full_name: str
    meaning: str
    signed_at: datetime

    @classmethod
    def of(cls, signature: Signature | None) -> ApprovalOut | None:
        if signature is None:
            return None
        return cls(
            username=signature.username,
            full_name=signature.full_name,
            meaning=signature.meaning,
            signed_at=signature.signed_at,
        )


class RejectionOut(BaseModel):
    """Why the last review sent a version back to draft, who said so and when."""

    reason: str
    by: PersonOut
    at: datetime

    @classmethod
    def of(cls, rejection: Rejection | None) -> RejectionOut | None:
        return (
            None
            if rejection is None
            else cls(reason=rejection.reason, by=PersonOut.of(rejection.by), at=rejection.at)
        )


class VersionOut(VersionSummary):
    key: str
    title: str
    definition: dict[str, Any]
    approval: ApprovalOut | None = Field(
        default=None, description="Who approved the version, when, with which meaning."
    )
    authors: list[str] = Field(
        default=[], description="Usernames of everyone who created or edited the version."
    )
    rejection: RejectionOut | None = Field(
        default=None,
        description="The latest rejection while the version is a draft again (else null).",
    )

    @classmethod
    def of(
        cls,
        version: ProcedureVersion,
        approval: Signature | None = None,
        authors: list[str] | None = None,
        rejection: Rejection | None = None,
    ) -> VersionOut:
        return cls(
            **VersionSummary.of(version).model_dump(),
            key=version.procedure.key,
            title=version.procedure.title,
            definition=version.definition,
            approval=ApprovalOut.of(approval),
            authors=authors or [],
            rejection=RejectionOut.of(rejection),
        )


class LoadProcedureIn(Strict):
    filename: str = Field(min_length=1, max_length=300)
    source: str = Field(min_length=1, max_length=512 * 1024)


class ApproveIn(Strict):
    signature: SignatureIn


class NewDraftIn(Strict):
    from_version: int | None = Field(
        default=None, ge=1, description="Copy this version; without it, a starter procedure."
    )
    title: str | None = Field(
        default=None,
        min_length=1,
        max_length=300,
        description="Title of a new procedure (a key not known yet); defaults to the key.",
    )


class DefinitionIn(RootModel[dict[str, Any]]):
    """A procedure definition: the JSON form of a procedure file."""


class DefinitionProblemOut(BaseModel):
    field: str = Field(description="The JSON pointer again, as in every 422's errors.")
    pointer: str
    message: str


class ValidationOut(BaseModel):
    valid: bool
    errors: list[DefinitionProblemOut]


class RejectIn(Strict):
    reason: str = Field(min_length=1, max_length=2000)


class FieldChangeOut(BaseModel):
    field: str
    pointer: str
    kind: str = Field(description="limit, expression or field")
    old: Any
    new: Any


class DiffOut(BaseModel):
    """What changed from version `against` to `version` (README, Authoring procedures)."""

    key: str
    version: int
    against: int
    unchanged: bool
    procedure: list[FieldChangeOut]
    operations: dict[str, list[dict[str, Any]]]
    steps: dict[str, list[dict[str, Any]]]

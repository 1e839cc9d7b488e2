"""Procedure library API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from server.library.models import Procedure, ProcedureVersion
from server.signatures.models import Signature
from server.web.schemas import SignatureIn, Strict


class VersionSummary(BaseModel):
    version: int
    status: str
    content_hash: str
    source_name: str
    created_at: datetime
    approved_at: datetime | None

    @classmethod
    def of(cls, version: ProcedureVersion) -> VersionSummary:
        return cls(
            version=version.version,
            status=version.status,
            content_hash=version.content_hash,
            source_name=version.source_name,
            created_at=version.created_at,
            approved_at=version.approved_at,
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


class VersionOut(VersionSummary):
    key: str
    title: str
    definition: dict[str, Any]
    approval: ApprovalOut | None = Field(
        default=None, description="Who approved the version, when, with which meaning."
    )

    @classmethod
    def of(cls, version: ProcedureVersion, approval: Signature | None = None) -> VersionOut:
        return cls(
            **VersionSummary.of(version).model_dump(),
            key=version.procedure.key,
            title=version.procedure.title,
            definition=version.definition,
            approval=ApprovalOut.of(approval),
        )


class LoadProcedureIn(Strict):
    filename: str = Field(min_length=1, max_length=300)
    source: str = Field(min_length=1, max_length=512 * 1024)


class ApproveIn(Strict):
    signature: SignatureIn

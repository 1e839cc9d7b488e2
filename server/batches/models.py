"""A batch, its steps as executed, and every value recorded in them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from procedures.states import BatchStatus, StepStatus
from server.auth.models import User
from server.db.base import Base, EnumText
from server.ids import new_id
from server.library.models import ProcedureVersion


class Batch(Base):
    """One manufacturing batch, pinned to the procedure version it was created from."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_number: Mapped[str] = mapped_column(String(64), unique=True)
    procedure_version_id: Mapped[str] = mapped_column(ForeignKey("procedure_versions.id"))
    status: Mapped[BatchStatus] = mapped_column(EnumText(BatchStatus, 16))
    parameters: Mapped[dict[str, Any]]
    created_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    started_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    decision_comment: Mapped[str | None] = mapped_column(Text)
    # The content hash of the approved redline the batch follows (None: its pinned version).
    redline_hash: Mapped[str | None] = mapped_column(String(64))
    procedure_version: Mapped[ProcedureVersion] = relationship()
    steps: Mapped[list[StepRecord]] = relationship(order_by="StepRecord.position")


class StepRecord(Base):
    """The execution state of one procedure step inside a batch."""

    __tablename__ = "step_records"
    __table_args__ = (UniqueConstraint("batch_id", "step_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    step_id: Mapped[str] = mapped_column(String(100))
    operation_id: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]
    state: Mapped[StepStatus] = mapped_column(EnumText(StepStatus, 16))
    activated_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    completed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    performer: Mapped[User | None] = relationship()
    values: Mapped[list[StepValue]] = relationship(order_by="(StepValue.name, StepValue.revision)")


class BatchOperator(Base):
    """A person who worked on a batch: started it or performed one of its steps.

    Kept with the batch's creation time, so the batch list narrowed to one operator reads
    one index range in list order (`server/batches/operators.py` keeps it)."""

    __tablename__ = "batch_operators"
    __table_args__ = (
        Index("ix_batch_operators_user_created", "user_id", "created_at", "batch_id"),
    )

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), primary_key=True)
    created_at: Mapped[datetime]


class StepValue(Base):
    """One revision of one recorded value; a correction adds a revision, never overwrites."""

    __tablename__ = "step_values"
    __table_args__ = (UniqueConstraint("step_record_id", "name", "revision"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    step_record_id: Mapped[str] = mapped_column(ForeignKey("step_records.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int]
    entered_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)
    author: Mapped[User] = relationship()


class BatchHold(Base):
    """A blocking exception that stopped the batch at a step until continuation is approved."""

    __tablename__ = "batch_holds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), index=True)
    step_id: Mapped[str | None] = mapped_column(String(100))
    deviation_id: Mapped[str | None] = mapped_column(ForeignKey("deviations.id"))
    reason: Mapped[str] = mapped_column(Text)
    raised_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    raised_at: Mapped[datetime]
    approvals_required: Mapped[int]
    lifted_at: Mapped[datetime | None]
    approvals: Mapped[list[HoldApproval]] = relationship(order_by="HoldApproval.approved_at")


class HoldApproval(Base):
    """One e-signed approval (meaning `approved`) to continue a held batch."""

    __tablename__ = "hold_approvals"
    __table_args__ = (UniqueConstraint("hold_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    hold_id: Mapped[str] = mapped_column(ForeignKey("batch_holds.id"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    signature_id: Mapped[str] = mapped_column(ForeignKey("signatures.id"))
    approved_at: Mapped[datetime]
    comment: Mapped[str | None] = mapped_column(Text)

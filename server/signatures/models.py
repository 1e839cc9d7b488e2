"""An applied electronic signature."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base
from server.ids import new_id


class Signature(Base):
    """Who signed, with which meaning, when, bound to the hash of what was signed.

    The signer's name is copied at signing time: the record must show the name as it was.
    """

    __tablename__ = "signatures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(200))
    meaning: Mapped[str] = mapped_column(String(32))
    signed_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("batches.id"), index=True)
    step_record_id: Mapped[str | None] = mapped_column(ForeignKey("step_records.id"))
    procedure_version_id: Mapped[str | None] = mapped_column(ForeignKey("procedure_versions.id"))

"""Procedures and their numbered versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db.base import Base, JSONDocument
from server.ids import new_id


class Procedure(Base):
    """A master procedure, identified by its key across versions."""

    __tablename__ = "procedures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime]
    versions: Mapped[list[ProcedureVersion]] = relationship(
        back_populates="procedure", order_by="ProcedureVersion.version"
    )


class ProcedureVersion(Base):
    """One version of a procedure: a draft, in review, approved (effective), then retired.

    `revision` counts the edits of the definition (a client sends it back as `If-Match`);
    `authors` are the ids of everyone who created or edited it, none of whom may approve it.
    """

    __tablename__ = "procedure_versions"
    __table_args__ = (UniqueConstraint("procedure_id", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    procedure_id: Mapped[str] = mapped_column(ForeignKey("procedures.id"), index=True)
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]]
    source: Mapped[str] = mapped_column(Text)
    source_name: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    edited_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime]
    revision: Mapped[int] = mapped_column(default=1, server_default="1")
    authors: Mapped[list[str]] = mapped_column(JSONDocument, default=list, server_default="[]")
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    procedure: Mapped[Procedure] = relationship(back_populates="versions")

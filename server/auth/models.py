"""Users and their access tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db.base import Base
from server.ids import new_id


class User(Base):
    """A person who signs in; `roles` decide what they may do."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    roles: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    # Set by an admin's password reset: the temporary password only lets its owner change it.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]

    def has_any_role(self, roles: frozenset[str] | set[str] | list[str]) -> bool:
        return any(role in roles for role in self.roles)


class AuthToken(Base):
    """An issued session token; only its SHA-256 hash is stored."""

    __tablename__ = "auth_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    # Wrong e-signature passwords sent with this token: counted here, not against the signer
    # named, so that nobody can lock someone else out by guessing.
    failed_signatures: Mapped[int] = mapped_column(default=0)
    last_signed_at: Mapped[datetime | None]

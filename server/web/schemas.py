"""API shapes shared by several domains."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Request bodies refuse unknown fields: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class UserRef(BaseModel):
    """A person as shown in the record."""

    id: str
    username: str
    full_name: str


class SignatureIn(Strict):
    """An e-signature: password re-entry and meaning; `username` signs as someone else."""

    password: str
    meaning: str
    username: str | None = None

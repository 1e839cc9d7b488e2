"""Auth API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from server.auth.models import User
from server.auth.roles import (
    ADMINS,
    PROCEDURE_APPROVERS,
    PROCEDURE_AUTHORS,
    REMOTE_EXPERTS,
    SHOP_FLOOR,
    SUPERVISION,
)
from server.web.schemas import Strict


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class UserOut(BaseModel):
    id: str
    username: str
    full_name: str
    roles: list[str]

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(id=user.id, username=user.username, full_name=user.full_name, roles=user.roles)


class LoginOut(BaseModel):
    token: str
    expires_at: datetime
    user: UserOut


class BrowserSessionOut(BaseModel):
    user: UserOut
    csrf_token: str
    expires_at: datetime


class Capabilities(BaseModel):
    """What the user may do, from the role groups the endpoints named here declare.

    Clients show or hide their controls by these, instead of keeping role lists of their own.
    """

    create_batches: bool = Field(description="Create batches (`POST /batches`).")
    start_batches: bool = Field(
        description="Start batches and run them on the shop floor "
        "(`POST /batches/{batch_id}/start`)."
    )
    annotate_streams: bool = Field(
        description="Guide live streams as a remote expert: draw on the video, snapshot, "
        "record (`POST /batches/{batch_id}/annotations`)."
    )
    administer_users: bool = Field(
        description="Manage accounts: deactivate, unlock, reset passwords, roles, sessions "
        "(`POST /users/{user_id}/deactivate`).",
    )
    author_procedures: bool = Field(
        description="Write procedures: load files, create and edit drafts (`POST /procedures`)."
    )
    approve_procedures: bool = Field(
        description="Approve procedure versions with an e-signature "
        "(`POST /procedures/{key}/versions/{version}/approve`)."
    )

    @classmethod
    def of(cls, user: User) -> Capabilities:
        return cls(
            create_batches=user.has_any_role(SUPERVISION),
            start_batches=user.has_any_role(SHOP_FLOOR),
            annotate_streams=user.has_any_role(REMOTE_EXPERTS),
            administer_users=user.has_any_role(ADMINS),
            author_procedures=user.has_any_role(PROCEDURE_AUTHORS),
            approve_procedures=user.has_any_role(PROCEDURE_APPROVERS),
        )


class MeOut(UserOut):
    csrf_token: str | None = None
    can: Capabilities


class CreateUserIn(Strict):
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    full_name: str = Field(min_length=1, max_length=200)
    roles: list[str] = Field(min_length=1)
    password: str = Field(min_length=8, max_length=1024)


class SignedOut(BaseModel):
    signed_out: bool = True


class AccountOut(UserOut):
    """A user as an administrator sees it: the account's state beside who it is."""

    active: bool
    locked_until: datetime | None
    must_change_password: bool = Field(
        description="An administrator reset the password: sign-in is refused (403, code "
        "`password_change_required`) until the user changes it (`POST /auth/password`)."
    )

    @classmethod
    def of(cls, user: User) -> AccountOut:
        return cls(
            **UserOut.of(user).model_dump(),
            active=user.active,
            locked_until=user.locked_until,
            must_change_password=user.must_change_password,
        )


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=500, description="Why, for the audit trail.")


class RolesIn(ReasonIn):
    roles: list[str] = Field(min_length=1, max_length=5)


class TemporaryPasswordOut(BaseModel):
    user: AccountOut
    temporary_password: str = Field(
        description="Shown once: hand it to the user, who must change it at next sign-in."
    )


class SessionsRevokedOut(BaseModel):
    user: AccountOut
    sessions_revoked: int


class ChangePasswordIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


class PasswordChanged(BaseModel):
    """Every session of the user ended: sign in again with the new password."""

    changed: bool = True

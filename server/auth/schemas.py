"""Auth API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from server.auth.models import User
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


class MeOut(UserOut):
    csrf_token: str | None = None


class CreateUserIn(Strict):
    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$")
    full_name: str = Field(min_length=1, max_length=200)
    roles: list[str] = Field(min_length=1)
    password: str = Field(min_length=8, max_length=1024)


class SignedOut(BaseModel):
    signed_out: bool = True

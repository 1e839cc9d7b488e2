"""How the API names a person: one shape for every response that says who did something."""

from __future__ import annotations

from typing import Protocol, overload

from pydantic import BaseModel


class Named(Protocol):
    """Anything with a username and a full name (a user row, a domain record of someone)."""

    @property
    def username(self) -> str: ...

    @property
    def full_name(self) -> str: ...


class PersonOut(BaseModel):
    """Someone as a response shows them."""

    username: str
    full_name: str

    @overload
    @classmethod
    def of(cls, someone: Named) -> PersonOut: ...

    @overload
    @classmethod
    def of(cls, someone: None) -> None: ...

    @classmethod
    def of(cls, someone: Named | None) -> PersonOut | None:
        """`someone` as a response shows them (None stays None)."""
        if someone is None:
            return None
        return cls(username=someone.username, full_name=someone.full_name)

"""The root of every server-side domain error.

StepwiseError
 ├── NotFound                     something named by the request does not exist
 ├── Conflict                     the request clashes with the current state
 ├── Forbidden                    the actor may not do this (role, segregation of duties)
 ├── Invalid                      the request is well-formed but its content is refused
 │    └── UnsupportedMediaType     the body is not of a media type this request takes (415)
 ├── PreconditionRequired         a write that must name the state it saw did not (428)
 ├── PreconditionFailed           the state the request saw has changed since (412)
 ├── ServerBusy                   too much at once: nothing was done, send it again shortly
 └── (each domain's exceptions.py derives its errors from these)

An error names what is wrong with the request as typed `problems` (one per field), which
`server/web/problems.py` alone renders to the wire. An error may carry a `refusal`: a trace
that must be written to the audit trail even though the refused operation itself is rolled
back (a hard-limit breach, a self-verification).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request: the field it concerns and why.

    `field` is the field's path in the request (`values.main_force_kn`, `signature.password`,
    `Content-Type`); `code` says why for programs, `message` for people; `value` and `limit`
    are the refused value and the bounds or choices it broke; `details` holds anything else
    a client acts on (`overridable`, a procedure file's `line`).
    """

    field: str
    message: str
    code: str | None = None
    value: object = None
    limit: Mapping[str, Any] | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Refusal:
    """What the audit trail records about a refused GMP operation."""

    actor_id: str | None
    actor: str
    action: str
    entity_type: str
    entity_id: str
    batch_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class StepwiseError(Exception):
    """Base of all domain errors; `detail` is shown to the user, `problems` name fields."""

    refusal: Refusal | None = None

    def __init__(self, detail: str, *, problems: Sequence[Problem] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = tuple(problems)

    def with_refusal(self, refusal: Refusal) -> StepwiseError:
        """Attach the audit trace of this refusal and return self (for `raise ... from`)."""
        self.refusal = refusal
        return self


class NotFound(StepwiseError):
    """A batch, step, procedure or user named by the request does not exist."""


class Conflict(StepwiseError):
    """The request clashes with the current state (already completed, duplicate number)."""

    def __init__(self, detail: str, *, current: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.current = current


class Forbidden(StepwiseError):
    """The actor is known but may not do this."""


class Invalid(StepwiseError):
    """The content of the request is refused (limits, missing values, bad signature)."""


class UnsupportedMediaType(Invalid):
    """The body is not of a media type this request takes (JSON, SDP, an image)."""


class PreconditionRequired(StepwiseError):
    """A write that must say which state it was made against (`If-Match`) did not."""


class PreconditionFailed(StepwiseError):
    """The state the request was made against (`If-Match`) is no longer the current one."""

    def __init__(self, detail: str, *, current: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.current = current


class ServerBusy(StepwiseError):
    """More requests at once than the database connections can serve in time (a shift of
    headsets signing in together): nothing was recorded, the same request may be sent again."""

    def __init__(self) -> None:
        super().__init__(
            "The server is too busy to take this request now; nothing was recorded. "
            "Send it again in a few seconds."
        )

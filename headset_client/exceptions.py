"""Errors of the headset client. They carry data; the runner turns them into one line each.

HeadsetError
├── CommandInvalid      a spoken or scripted line is not a command of the vocabulary
├── EntryRefused        what the operator said cannot be recorded (local checks)
├── ServerUnreachable   no answer (network error, timeout, 5xx): try again later
├── ServerRefused       the server answered 4xx with a problem document
├── SignInFailed        the user name or password was refused
└── CameraUnavailable   the camera source cannot deliver frames
"""

from __future__ import annotations

from typing import Any


class HeadsetError(Exception):
    """Base of every error raised by the headset client."""


class CommandInvalid(HeadsetError):
    """A line is not a command; `reason` says why, in words an operator understands."""

    def __init__(self, line: str, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"{reason}: {line!r}")


class EntryRefused(HeadsetError):
    """A value, scan or completion was refused before anything was recorded."""

    def __init__(self, reason: str, problems: list[str] | None = None) -> None:
        self.reason = reason
        self.problems = problems or []
        super().__init__("; ".join([reason, *self.problems]) if self.problems else reason)


class ServerUnreachable(HeadsetError):
    """The server did not answer usefully; the request may be retried with the same key."""


class ServerRefused(HeadsetError):
    """A 4xx answer; `problem` is the server's RFC 9457 document (or what stood in for it)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        super().__init__(f"{status}: {problem_text(problem)}")


class SignInFailed(HeadsetError):
    """The server refused the credentials."""


class CameraUnavailable(HeadsetError):
    """A camera source could not be opened or stopped delivering frames."""


def problem_text(problem: dict[str, Any]) -> str:
    """One line from a problem document: its detail, then each field's message."""
    detail = str(problem.get("detail") or problem.get("title") or "refused")
    fields = [
        f"{error.get('field')}: {error.get('message')}"
        for error in problem.get("errors") or []
        if isinstance(error, dict)
    ]
    return "; ".join([detail, *fields])

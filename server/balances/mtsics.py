"""MT-SICS, Mettler Toledo's Standard Interface Command Set, as text: no I/O.

A command is one upper-case line, a reply is one line, both ended by CR LF. A reply starts with
the command's identifier and a status; weight replies go on with the value right-aligned in ten
characters and the unit (`S S      100.00 g`), text replies with a quoted string
(`I4 A "B123456789"`). A line the balance cannot use at all is answered `ES`, `ET` or `EL`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

TERMINATOR = b"\r\n"
# Commands and replies are 8-bit ASCII (characters 32 to 255): latin-1 maps them one to one.
ENCODING = "latin-1"

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_QUOTED = re.compile(r'"(?P<text>[^"]*)"')


class Command(StrEnum):
    """The commands Stepwise sends."""

    STABLE_WEIGHT = "S"
    WEIGHT_NOW = "SI"
    TARE = "T"
    ZERO = "Z"
    SERIAL_NUMBER = "I4"
    RESET = "@"

    @property
    def reply_id(self) -> str:
        """The identifier the reply starts with: `SI` is answered as `S`, `@` as `I4`."""
        if self is Command.WEIGHT_NOW:
            return "S"
        if self is Command.RESET:
            return "I4"
        return self.value

    @property
    def waits_for_stability(self) -> bool:
        """Whether the balance holds its answer until the weight is stable."""
        return self in (Command.STABLE_WEIGHT, Command.TARE, Command.ZERO)

    @property
    def reports_weight(self) -> bool:
        """Whether `+` and `-` in the reply mean overload and underload of the pan."""
        return self in (Command.STABLE_WEIGHT, Command.WEIGHT_NOW)


class Status(StrEnum):
    """The second field of a reply."""

    STABLE = "S"
    DYNAMIC = "D"
    DONE = "A"
    NOT_EXECUTABLE = "I"
    ABOVE_RANGE = "+"
    BELOW_RANGE = "-"

    @property
    def meaning(self) -> str:
        """What the status tells an operator."""
        return _STATUS_MEANINGS[self]


_STATUS_MEANINGS = {
    Status.STABLE: "stable",
    Status.DYNAMIC: "not yet stable",
    Status.DONE: "done",
    Status.NOT_EXECUTABLE: "not executable now (busy, or the weight is not stable)",
    Status.ABOVE_RANGE: "above the permitted range",
    Status.BELOW_RANGE: "below the permitted range",
}


class ErrorCode(StrEnum):
    """A whole-line error reply."""

    SYNTAX = "ES"
    TRANSMISSION = "ET"
    LOGICAL = "EL"

    @property
    def meaning(self) -> str:
        """What the error tells an operator."""
        return _ERROR_MEANINGS[self]


_ERROR_MEANINGS = {
    ErrorCode.SYNTAX: "command not recognised",
    ErrorCode.TRANSMISSION: "transmission error (garbled or too long)",
    ErrorCode.LOGICAL: "command recognised but cannot be executed",
}


@dataclass(frozen=True)
class Reading:
    """A weight shown by the balance, in the balance's unit; `stable` once it has settled."""

    value: Decimal
    unit: str
    stable: bool


@dataclass(frozen=True)
class Reply:
    """One reply line: the identifier it echoes, its status, and its weight or text if any."""

    identifier: str
    status: Status
    reading: Reading | None = None
    text: str | None = None


@dataclass(frozen=True)
class ErrorReply:
    """A reply saying the command line itself could not be used."""

    code: ErrorCode


def encode_command(command: Command) -> bytes:
    """The bytes to send for `command`."""
    return command.value.encode(ENCODING) + TERMINATOR


def encode_reply(reply: Reply | ErrorReply) -> bytes:
    """The bytes a balance sends for `reply`."""
    return format_reply(reply).encode(ENCODING) + TERMINATOR


def decode_line(data: bytes) -> str:
    """A received line as text, without its CR LF."""
    return data.decode(ENCODING).removesuffix("\r\n")


def format_reply(reply: Reply | ErrorReply) -> str:
    """The reply as a line without CR LF; the inverse of `parse_reply`."""
    if isinstance(reply, ErrorReply):
        return reply.code.value
    parts = [reply.identifier, reply.status.value]
    if reply.reading is not None:
        parts.append(f"{reply.reading.value:>10f} {reply.reading.unit}")
    if reply.text is not None:
        parts.append(f'"{reply.text}"')
    return " ".join(parts)


def parse_reply(line: str) -> Reply | ErrorReply:
    """Parse one reply line (CR LF optional); `ValueError` if it is not an MT-SICS reply."""
    text = line.removesuffix("\r\n")
    if text in iter(ErrorCode):
        return ErrorReply(ErrorCode(text))
    identifier, _, rest = text.partition(" ")
    status_text, _, payload = rest.partition(" ")
    if not identifier or status_text not in iter(Status):
        raise ValueError(f"not an MT-SICS reply: {line!r}")
    status = Status(status_text)
    payload = payload.strip()
    if status in (Status.STABLE, Status.DYNAMIC):
        return Reply(identifier, status, reading=_parse_reading(payload, status, line))
    if status is Status.DONE and (quoted := _QUOTED.fullmatch(payload)):
        return Reply(identifier, status, text=quoted["text"])
    if payload:
        raise ValueError(f"unexpected data after status {status_text!r}: {line!r}")
    return Reply(identifier, status)


def _parse_reading(payload: str, status: Status, line: str) -> Reading:
    fields = payload.split()
    if len(fields) != 2 or not _NUMBER.fullmatch(fields[0]):
        raise ValueError(f"expected a weight value and a unit: {line!r}")
    return Reading(Decimal(fields[0]), fields[1], stable=status is Status.STABLE)

"""The voice-style vocabulary: one line of words in, one command out. Pure, no I/O.

A hands-free device sends what the operator says (`value 12.5`, `confirm`); scripts use the
same words one command a line, so a demo, a test and a load run speak like an operator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from headset_client.exceptions import CommandInvalid


@dataclass(frozen=True)
class Next:
    """Look at the following step (reading ahead never records anything)."""


@dataclass(frozen=True)
class Back:
    """Look at the previous step and what was recorded there."""


@dataclass(frozen=True)
class Repeat:
    """Say the step in view again."""


@dataclass(frozen=True)
class Help:
    """List the vocabulary."""


@dataclass(frozen=True)
class Confirm:
    """Complete the active step with the values given (or a suggested scan)."""


@dataclass(frozen=True)
class Quit:
    """End the session (what is saved is still sent next time)."""


@dataclass(frozen=True)
class Value:
    """`value 12.5` or `value net_kg 12.5`: `text` is everything after the word."""

    text: str


@dataclass(frozen=True)
class Check:
    """`check` ticks the next checklist item, `check all` every one, `check NAME` that one."""

    text: str = ""


@dataclass(frozen=True)
class Scan:
    """`scan` reads the camera; `scan TEXT` or `scan NAME TEXT` gives the code's text."""

    text: str = ""


@dataclass(frozen=True)
class Photo:
    """Take a photo with the camera for the step's (named) photo input."""

    name: str = ""


@dataclass(frozen=True)
class Comment:
    """The comment sent with the completion (needed for values in an alert band)."""

    text: str


@dataclass(frozen=True)
class Clear:
    """Forget what was said for the active step (one input when named)."""

    name: str = ""


@dataclass(frozen=True)
class Sign:
    """Complete the active step with the operator's e-signature (meaning `performed`)."""

    password: str | None = None


@dataclass(frozen=True)
class Verify:
    """Complete a verification step with another person's e-signature (`verified`)."""

    username: str
    password: str | None = None


@dataclass(frozen=True)
class Batch:
    """`batch` lists the batches to work on; `batch NUMBER` picks one."""

    number: str = ""


@dataclass(frozen=True)
class Status:
    """Connection, submissions waiting to be sent, and conflicts."""


@dataclass(frozen=True)
class Acknowledge:
    """Acknowledge the newest annotation (or the one with this id)."""

    annotation_id: str = ""


@dataclass(frozen=True)
class Wait:
    """Pause for `seconds` (scripts: give a timer step its time)."""

    seconds: float


@dataclass(frozen=True)
class Media:
    """`media` lists the files of the step in view; `media N` fetches file N to open it."""

    number: int = 0


@dataclass(frozen=True)
class Sync:
    """Wait until every saved submission has been answered by the server."""


Command = (
    Next
    | Back
    | Repeat
    | Help
    | Confirm
    | Quit
    | Value
    | Check
    | Scan
    | Photo
    | Comment
    | Clear
    | Sign
    | Verify
    | Batch
    | Status
    | Acknowledge
    | Wait
    | Sync
    | Media
)

HELP = (
    "next / back: look at the following / previous step",
    "repeat: say the step again",
    "value [NAME] X: record X (for the input NAME)",
    "check [NAME|all]: tick a checklist item (or all of them)",
    "scan [NAME] [TEXT]: scan with the camera, or give the code's text",
    "photo [NAME]: take a photo for the step",
    "comment TEXT: justify a value in an alert band",
    "clear [NAME]: forget what was said for this step",
    "confirm: complete the step",
    "sign [PASSWORD]: complete the step with your e-signature",
    "verify USER [PASSWORD]: complete a verification with USER's e-signature",
    "media [N]: list the step's pictures, videos and PDFs, or fetch file N",
    "ack [ID]: acknowledge the newest annotation",
    "batch [NUMBER]: list batches, or pick one",
    "status: connection, submissions waiting, conflicts",
    "sync: wait until the server has everything",
    "wait SECONDS: pause",
    "quit: end the session",
)

_BARE = {
    "next": Next,
    "back": Back,
    "previous": Back,
    "repeat": Repeat,
    "again": Repeat,
    "help": Help,
    "confirm": Confirm,
    "status": Status,
    "sync": Sync,
    "quit": Quit,
    "exit": Quit,
}
_MAX_WAIT_SECONDS = 24 * 3600


def parse_command(line: str) -> Command | None:
    """The command a line says; None for a blank line or a `#` comment."""
    text = line.strip()
    if not text or text.startswith("#"):
        return None
    verb, _, rest = text.partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb in _BARE:
        if rest:
            raise CommandInvalid(line, f"'{verb}' takes nothing after it")
        return _BARE[verb]()
    match verb:
        case "value":
            return Value(_required(line, rest, "value needs a value, such as 'value 12.5'"))
        case "comment":
            return Comment(_required(line, rest, "comment needs its text"))
        case "check":
            return Check(rest)
        case "scan":
            return Scan(rest)
        case "photo":
            return Photo(_single(line, rest, "photo"))
        case "clear":
            return Clear(_single(line, rest, "clear"))
        case "sign":
            return Sign(rest or None)
        case "verify":
            username, _, password = rest.partition(" ")
            username = _required(line, username, "verify needs the verifier's user name")
            return Verify(username, password.strip() or None)
        case "batch":
            return Batch(_single(line, rest, "batch"))
        case "ack" | "acknowledge":
            return Acknowledge(_single(line, rest, verb))
        case "wait":
            return Wait(_seconds(line, rest))
        case "media":
            if rest and not (rest.isascii() and rest.isdigit() and 0 < int(rest) < 1000):
                raise CommandInvalid(line, "media takes the number of a file, such as 'media 1'")
            return Media(int(rest) if rest else 0)
        case _:
            raise CommandInvalid(line, f"unknown command '{verb}' (say 'help')")


def _required(line: str, text: str, reason: str) -> str:
    if not text:
        raise CommandInvalid(line, reason)
    return text


def _single(line: str, text: str, verb: str) -> str:
    if " " in text:
        raise CommandInvalid(line, f"'{verb}' takes at most one word after it")
    return text


def _seconds(line: str, text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        raise CommandInvalid(line, "wait needs a number of seconds") from None
    if not math.isfinite(seconds) or not 0 <= seconds <= _MAX_WAIT_SECONDS:
        raise CommandInvalid(line, "wait takes 0 to 86400 seconds")
    return seconds

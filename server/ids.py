"""Identifiers: opaque strings, as the contract promises; and the readable numbers people
read aloud, type and print on labels (lots, containers)."""

from __future__ import annotations

import re
import string
import uuid
from datetime import date

# GS1 AI (10) lot and AI (21) serial take at most 20 characters; so do the columns.
NUMBER_LENGTH = 20
PLACEHOLDERS = frozenset({"material", "yymmdd", "seq"})
_NOT_IN_NUMBERS = re.compile(r"[^A-Z0-9-]")


def new_id() -> str:
    """A fresh random identifier."""
    return str(uuid.uuid4())


def readable_number(pattern: str, material: str, day: date, seq: int) -> str:
    """A number from `pattern`, e.g. `{material}-{yymmdd}-{seq:03d}` → `EXC-0101-261207-003`.

    The material code keeps letters, digits and hyphens (safe in GS1 and read aloud). When the
    whole would not fit in NUMBER_LENGTH characters, the code loses its hyphens first and only
    then its end, so codes that differ at the end (STW-101-FB, STW-101-FC) stay apart.
    """
    code = _NOT_IN_NUMBERS.sub("", material.upper())
    fields = {"yymmdd": day.strftime("%y%m%d"), "seq": seq}
    spare = max(NUMBER_LENGTH - len(pattern.format(material="", **fields)), 0)
    if len(code) > spare:
        code = code.replace("-", "")
    return pattern.format(material=code[:spare], **fields)


def number_pattern(text: str) -> str:
    """`text` if it is a usable number pattern, else ValueError saying why."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:
        raise ValueError(f"not a pattern: {exc}") from exc
    if not names <= PLACEHOLDERS:
        raise ValueError(f"unknown placeholder(s) {sorted(names - PLACEHOLDERS)}")
    if "seq" not in names:
        raise ValueError("it needs {seq} (e.g. {seq:03d}) to tell numbers of one day apart")
    try:
        sample = readable_number(text, "", date(2026, 12, 31), 999)
    except (ValueError, IndexError) as exc:
        raise ValueError(f"not a pattern: {exc}") from exc
    if len(sample) > NUMBER_LENGTH or _NOT_IN_NUMBERS.search(sample.upper()):
        raise ValueError(f"numbers must be up to {NUMBER_LENGTH} letters, digits and hyphens")
    return text

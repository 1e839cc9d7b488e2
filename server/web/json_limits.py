"""What a JSON document from a client may hold: a sane depth, exact numbers, bounded strings.

A value nested hundreds of levels deep parses, but then cannot be stored, audited or read back
(serialisers recurse); an integer of thousands of digits is slow to convert and cannot be
represented by JavaScript clients or stored as a number. Such input is refused at the boundary,
where it is named, so nothing behind it ever holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 32
MAX_SAFE_INTEGER = 2**53 - 1  # JSON numbers every client (JavaScript) reads exactly
MAX_STRING_CHARS = 100_000


@dataclass(frozen=True)
class JsonProblem:
    """Where a document breaks a limit, and which."""

    path: str
    message: str


class JsonOutOfLimits(ValueError):
    """Raised while parsing: a number no client could read exactly."""


def bounded_int(digits: str) -> int:
    """`parse_int` for json.loads: refuses integers beyond the safe range before converting
    them (converting thousands of digits is slow, and Python refuses past 4,300)."""
    if len(digits.lstrip("-")) > len(str(MAX_SAFE_INTEGER)) or abs(int(digits)) > MAX_SAFE_INTEGER:
        raise JsonOutOfLimits(f"integers must lie within ±{MAX_SAFE_INTEGER}")
    return int(digits)


def no_constants(name: str) -> Any:
    """`parse_constant` for json.loads: NaN and Infinity are not JSON."""
    raise JsonOutOfLimits(f"{name} is not a JSON number")


def json_problem(document: Any) -> JsonProblem | None:
    """The first place `document` breaks a limit, or None; iterative, so depth costs no stack."""
    pending: list[tuple[Any, str, int]] = [(document, "", 0)]
    while pending:
        value, path, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                return JsonProblem(path or "body", f"nested deeper than {MAX_DEPTH} levels")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                pending.append((item, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and abs(value) > MAX_SAFE_INTEGER:
            return JsonProblem(path or "body", f"integers must lie within ±{MAX_SAFE_INTEGER}")
        elif isinstance(value, str) and len(value) > MAX_STRING_CHARS:
            return JsonProblem(path or "body", f"longer than {MAX_STRING_CHARS} characters")
    return None

"""Untrusted content in a form the trail can always store and read back.

A refused request's input is recorded so a reviewer sees what was tried, but it is whatever
a client sent: it is kept as it is only while small and shallow; otherwise as a digest of
its canonical JSON and a readable prefix, marked as truncated.
"""

from __future__ import annotations

import json
from typing import Any

from server.canonical import sha256_hex

MAX_CHARS = 4096
MAX_DEPTH = 16


def deeper_than(value: Any, limit: int) -> bool:
    """Whether `value` nests lists and objects more than `limit` levels; iterative."""
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth >= limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return False


def truncated(text: str) -> dict[str, Any]:
    """The digest and prefix of text too large or too deep to keep whole."""
    return {
        "truncated": True,
        "sha256": sha256_hex(text),
        "chars": len(text),
        "preview": text[:MAX_CHARS],
    }


def bounded(value: Any) -> Any:
    """`value` itself if small and shallow, else its truncated form."""
    if deeper_than(value, MAX_DEPTH):
        return truncated(_text(value))
    text = _text(value)
    return truncated(text) if len(text) > MAX_CHARS else value


def readable(stored: str | None) -> Any:
    """Stored JSON text as a value any serialiser can write back, whatever the text holds."""
    if stored is None:
        return None
    try:
        value = json.loads(stored)
    except (ValueError, RecursionError):
        return truncated(stored)
    return truncated(stored) if deeper_than(value, 2 * MAX_DEPTH) else value


def _text(value: Any) -> str:
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)
    except (ValueError, RecursionError):
        return "(content that cannot be written as JSON)"

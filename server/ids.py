"""Identifiers: opaque strings, as the contract promises."""

from __future__ import annotations

import uuid


def new_id() -> str:
    """A fresh random identifier."""
    return str(uuid.uuid4())

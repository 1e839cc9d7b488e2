"""The life of a deviation: open → investigating → closed, or cancelled (raised in error)."""

from __future__ import annotations

from enum import StrEnum


class DeviationStatus(StrEnum):
    """Where a deviation is in its investigation."""

    OPEN = "open"
    INVESTIGATING = "investigating"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def unresolved(self) -> bool:
        """Still under investigation: it blocks release and takes new facts."""
        return self in (DeviationStatus.OPEN, DeviationStatus.INVESTIGATING)

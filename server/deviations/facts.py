"""What a deviation states, named as every view of it (API, batch record) names it.

The people (who opened and closed it) are left to each view: the API and the batch record
show them with their own models.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from server.deviations.models import Deviation


class DeviationFacts(BaseModel):
    """The deviation's own facts, first in every model of a deviation."""

    id: str
    number: str
    step_id: str | None
    kind: str
    severity: str
    status: str
    blocking: bool
    title: str
    detail: str
    field: str | None
    value: Any = None
    limits: Any = None
    comment: str | None
    impact: str | None
    root_cause: str | None
    capa: list[str]
    conclusion: str | None
    cancel_reason: str | None


def deviation_facts(deviation: Deviation) -> dict[str, Any]:
    """The fields of `DeviationFacts` and the deviation's times, read from its row."""
    return {
        "id": deviation.id,
        "number": deviation.number,
        "step_id": deviation.step_id,
        "kind": deviation.kind,
        "severity": deviation.severity,
        "status": str(deviation.status),
        "blocking": deviation.blocking,
        "title": deviation.title,
        "detail": deviation.detail,
        "field": deviation.field,
        "value": deviation.value,
        "limits": deviation.limits,
        "comment": deviation.comment,
        "impact": deviation.impact,
        "root_cause": deviation.root_cause,
        "capa": list(deviation.capa or []),
        "conclusion": deviation.conclusion,
        "cancel_reason": deviation.cancel_reason,
        "opened_at": deviation.opened_at,
        "updated_at": deviation.updated_at,
        "closed_at": deviation.closed_at,
    }

"""The annotations currently shown to the operator, kept from `annotation` events. Pure.

An event is `{"type": "annotation", "batch_id", "at", "action", "annotation": {...}}` with
`action` one of created, moved, cleared, acknowledged; the annotation carries `id`, `shape`
(arrow, circle, rectangle, freehand, text), `points` (normalised 0..1 of the frame), `text`,
`color`, `step_id` and `created_by`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

SHAPES = ("arrow", "circle", "rectangle", "freehand", "text")


@dataclass(frozen=True)
class Annotation:
    """One drawing on the picture; `acknowledged` once the operator has confirmed it."""

    id: str
    shape: str
    points: tuple[tuple[float, float], ...]
    text: str | None
    color: str
    author: str
    step_id: str | None = None
    acknowledged: bool = False

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Annotation:
        created_by = data.get("created_by") or {}
        return cls(
            id=str(data["id"]),
            shape=str(data.get("shape", "")),
            points=tuple((float(x), float(y)) for x, y in data.get("points") or ()),
            text=data.get("text"),
            color=str(data.get("color") or "#ff3b30"),
            author=str(created_by.get("full_name") or created_by.get("username") or "?"),
            step_id=data.get("step_id"),
        )


class AnnotationBoard:
    """What is on the picture now, in the order it was drawn."""

    def __init__(self) -> None:
        self._shown: dict[str, Annotation] = {}

    def apply(self, event: Mapping[str, Any]) -> Annotation | None:
        """Apply an annotation event; returns the annotation it concerns (None if unusable)."""
        data = event.get("annotation")
        if not isinstance(data, Mapping) or "id" not in data:
            return None
        annotation = Annotation.of(data)
        action = event.get("action")
        if action == "cleared":
            self._shown.pop(annotation.id, None)
        elif action == "acknowledged":
            known = self._shown.get(annotation.id, annotation)
            self._shown[annotation.id] = replace(known, acknowledged=True)
        elif action in ("created", "moved"):
            previous = self._shown.get(annotation.id)
            if previous is not None and previous.acknowledged:
                annotation = replace(annotation, acknowledged=True)
            self._shown[annotation.id] = annotation
        else:
            return None
        return annotation

    def shown(self) -> list[Annotation]:
        return list(self._shown.values())

    def newest_unacknowledged(self) -> Annotation | None:
        waiting = [a for a in self._shown.values() if not a.acknowledged]
        return waiting[-1] if waiting else None

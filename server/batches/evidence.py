"""Photo inputs hold the content address of an uploaded photo, which must be stored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from procedures.guardrails import FieldProblem
from procedures.model import Step
from server.media_store.service import stored_ids


async def photo_problems(
    session: AsyncSession, step: Step, values: Mapping[str, Any]
) -> list[FieldProblem]:
    """A problem for each photo input whose value names no stored photo."""
    photos = {
        spec.name: values[spec.name]
        for spec in step.inputs
        if spec.type == "photo" and isinstance(values.get(spec.name), str)
    }
    stored = await stored_ids(session, photos.values())
    return [
        FieldProblem(
            name,
            "photo_not_stored",
            f"{name}: no stored photo has the id {value!r}; upload the photo to "
            "/api/v1/media and send the id it answers",
            value,
        )
        for name, value in photos.items()
        if value not in stored
    ]

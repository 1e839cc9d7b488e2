"""Annotation and chat API shapes: what an expert may draw, and how the record shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from server.annotations.models import AnnotationEntry, ChatEntry
from server.web.people import PersonOut

Shape = Literal["arrow", "circle", "rectangle", "freehand", "text"]
Anchor = Literal["frame", "code"]
# How many points each shape takes (fewest, most), and what they are.
POINT_COUNTS: dict[str, tuple[int, int, str]] = {
    "arrow": (2, 2, "tail and head"),
    "circle": (2, 2, "centre and a point on the edge"),
    "rectangle": (2, 2, "two opposite corners"),
    "freehand": (2, 500, "the line's points in order"),
    "text": (1, 1, "where the text starts"),
}
MAX_TEXT = 200
# A position in the frame: 0..1 from the left and from the top edge.
Coordinate = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
Point = Annotated[list[Coordinate], Field(min_length=2, max_length=2)]


class _StrictBody(BaseModel):
    """No unknown fields and no coercion: "0.5" is not a number, 1 is not `true`."""

    model_config = ConfigDict(extra="forbid", strict=True)


class AnnotationIn(_StrictBody):
    """An annotation as the expert's console draws it."""

    stream_id: str = Field(
        min_length=1, max_length=80, description="The stream drawn on: `{batch_id}[.{name}]`."
    )
    shape: Shape
    points: list[Point] = Field(
        min_length=1,
        max_length=500,
        description="Normalised [x, y] pairs (0..1 from the frame's left and top edges): "
        "arrow tail and head, circle centre and edge, rectangle corners, freehand 2..500 "
        "points, text 1 point.",
    )
    text: str | None = Field(
        default=None,
        max_length=MAX_TEXT,
        validate_default=True,
        description="Required for (and only for) a text annotation.",
    )
    color: str = Field(default="#ff3b30", pattern=r"^#[0-9a-fA-F]{6}$")
    frame_timestamp: float = Field(
        ge=0, allow_inf_nan=False, description="Seconds: the media time of the frame drawn on."
    )
    step_id: str | None = Field(
        default=None, min_length=1, max_length=100, description="Defaults to the active step."
    )

    @field_validator("points")
    @classmethod
    def _point_count(cls, points: list[list[float]], info: ValidationInfo) -> list[list[float]]:
        shape = info.data.get("shape")
        if shape is None:
            return points  # the shape itself is refused
        fewest, most, meaning = POINT_COUNTS[shape]
        if not fewest <= len(points) <= most:
            wanted = str(fewest) if fewest == most else f"{fewest} to {most}"
            raise PydanticCustomError(
                "point_count",
                "a {shape} takes {wanted} points ({meaning}), not {count}",
                {"shape": shape, "wanted": wanted, "meaning": meaning, "count": len(points)},
            )
        return points

    @field_validator("text")
    @classmethod
    def _text_for_text_only(cls, text: str | None, info: ValidationInfo) -> str | None:
        shape = info.data.get("shape")
        if shape == "text" and (text is None or not text.strip()):
            raise PydanticCustomError("text_required", "a text annotation needs its text")
        if shape not in (None, "text") and text is not None:
            raise PydanticCustomError("text_not_allowed", "only a text annotation has text")
        return text.strip() if text is not None else None

    @field_validator("color")
    @classmethod
    def _lowercase(cls, color: str) -> str:
        return color.lower()


class ChatIn(_StrictBody):
    text: str = Field(min_length=1, max_length=2000)
    step_id: str | None = Field(
        default=None, min_length=1, max_length=100, description="Defaults to the active step."
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise PydanticCustomError("blank", "the message is empty")
        return text.strip()


class AnnotationOut(BaseModel):
    """An annotation in the record and in `annotation` events."""

    id: str
    batch_id: str
    stream_id: str
    step_id: str | None
    shape: Shape
    points: list[list[float]]
    text: str | None
    color: str
    frame_timestamp: float | None
    anchor: Anchor = Field(
        description="`code`: it follows a code in view (`moved` events); `frame`: it stays put."
    )
    created_at: datetime
    created_by: PersonOut
    cleared_at: datetime | None
    cleared_by: PersonOut | None
    acknowledged_at: datetime | None
    acknowledged_by: PersonOut | None

    @classmethod
    def of(cls, entry: AnnotationEntry) -> AnnotationOut:
        a = entry.annotation
        return cls(
            id=a.id,
            batch_id=a.batch_id,
            stream_id=a.stream_id,
            step_id=a.step_id,
            shape=a.shape,  # type: ignore[arg-type]
            points=a.points,
            text=a.text,
            color=a.color,
            frame_timestamp=a.frame_timestamp,
            anchor=entry.anchor,  # type: ignore[arg-type]
            created_at=a.created_at,
            created_by=PersonOut.of(entry.created_by),
            cleared_at=a.cleared_at,
            cleared_by=PersonOut.of(entry.cleared_by),
            acknowledged_at=a.acknowledged_at,
            acknowledged_by=PersonOut.of(entry.acknowledged_by),
        )


class ChatMessageOut(BaseModel):
    id: str
    batch_id: str
    step_id: str | None
    text: str
    created_at: datetime
    created_by: PersonOut

    @classmethod
    def of(cls, entry: ChatEntry) -> ChatMessageOut:
        m = entry.message
        return cls(
            id=m.id,
            batch_id=m.batch_id,
            step_id=m.step_id,
            text=m.text,
            created_at=m.created_at,
            created_by=PersonOut.of(entry.created_by),
        )

"""The events a batch's subscribers receive on the WebSocket: one model per `type`.

Every event carries `type`, `batch_id` and `at` (UTC, ISO 8601); an event a batch keeps (all
but the transient ones of a live stream: `scan`, `scan_rejected`, an annotation `moved`) also
carries the batch's `seq`, 1, 2, 3... without gap, by which a client resumes. An event says
what changed; a client that needs the whole picture re-reads the resource. Keys a producer
leaves out are left out of the wire too (a `stream` event that ends has no `publisher`, a
step that becomes active no `values`), so optional fields are absent rather than null.

The union `Event` is the contract for the web viewer, the headset client and the console; it
is published in the OpenAPI document (`components.schemas` and `x-events`), with `Reply`, the
WebSocket's own messages (hello, subscription changes, protocol errors).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

from procedures.model import Severity
from server.clock import isoformat, utcnow


class EventBase(BaseModel):
    """What every event has. Each subclass fixes `type` to its literal, given by itself."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str
    batch_id: str | None = Field(description="The batch the event belongs to (its topic).")
    at: str = Field(description="When it happened (UTC, ISO 8601).")
    seq: int | None = Field(
        None,
        ge=1,
        description="Its number among the batch's events (a `lot` event's: among the lot's; "
        "1, 2, 3... without gap; given when "
        "it commits). Absent on transient events (`scan`, `scan_rejected`, an annotation "
        "`moved`), which are sent live only, and on events of no batch.",
    )

    @model_validator(mode="before")
    @classmethod
    def _typed_and_stamped(cls, data: Any) -> Any:
        # `type` and `at` count as given, so `wire()` always carries them.
        if isinstance(data, dict):
            (event_type,) = get_args(cls.model_fields["type"].annotation)
            return {"type": event_type, "at": isoformat(utcnow()), **data}
        return data

    def wire(self) -> dict[str, Any]:
        """The event as sent: the fields given, in JSON types."""
        return self.model_dump(mode="json", exclude_unset=True)


class BatchEvent(EventBase):
    """A batch was created, started, held by a blocking exception, resumed, completed,
    released or rejected."""

    type: Literal["batch"]
    status: Literal["created", "in_progress", "on_hold", "completed", "released", "rejected"]
    batch_number: str | None = Field(None, description="Only when the batch is created.")


class StepEvent(EventBase):
    """A step became active, was skipped, completed (with its values) or corrected."""

    type: Literal["step"]
    step_id: str
    state: Literal["active", "skipped", "completed"]
    by: str | None = Field(None, description="Who completed or corrected it (username).")
    values: dict[str, Any] | None = Field(None, description="On completion: the values entered.")
    calculated: dict[str, Any] | None = Field(None, description="On completion: calculated.")
    result: Literal["ok", "alert"] | None = Field(
        None, description="On completion: `alert` when a value opened a deviation."
    )
    corrected: dict[str, Any] | None = Field(
        None, description="On correction: the changed values, by name."
    )


class DeviationEvent(EventBase):
    """A deviation was opened, given new facts, closed or cancelled."""

    type: Literal["deviation"]
    deviation_id: str
    number: str
    step_id: str | None
    severity: Severity
    title: str
    status: Literal["open", "investigating", "closed", "cancelled"] = "open"
    change: Literal["opened", "updated", "closed", "cancelled"] = "opened"


class HoldEvent(EventBase):
    """A blocking exception held the batch, a continuation approval was given, or the hold was
    lifted (its last approval)."""

    type: Literal["hold"]
    hold_id: str
    state: Literal["raised", "approved", "lifted"]
    step_id: str | None = Field(description="The step the batch is held at.")
    reason: str = Field(description="The exception that holds the batch.")
    by: str | None = Field(None, description="Who raised or approved it (username).")


class AttachmentEvent(EventBase):
    """A file was attached to the batch record."""

    type: Literal["attachment"]
    attachment: dict[str, Any] = Field(
        description="The attachment as `GET /batches/{batch_id}/attachments` lists it."
    )


class AnnotationEvent(EventBase):
    """An annotation was created, cleared, acknowledged, or (anchored to a code) moved."""

    type: Literal["annotation"]
    action: Literal["created", "cleared", "acknowledged", "moved"]
    annotation: dict[str, Any] = Field(
        description="The annotation as `GET /batches/{batch_id}/annotations` lists it; when "
        "`moved`, only `id`, `stream_id`, `points` and `anchor`."
    )


class ChatEvent(EventBase):
    """A chat message was posted on the batch."""

    type: Literal["chat"]
    message: dict[str, Any] = Field(
        description="The message as `GET /batches/{batch_id}/chat` lists it."
    )


class StreamEvent(EventBase):
    """A live stream of the batch started or ended."""

    type: Literal["stream"]
    stream_id: str
    state: Literal["live", "ended"]
    publisher: str | None = Field(None, description="When live: who publishes (username).")


class ViewersEvent(EventBase):
    """Someone started or stopped watching a live stream of the batch (a viewer whose
    connection failed or lost consent counts as stopped)."""

    type: Literal["viewers"]
    stream_id: str
    viewers: int = Field(ge=0, description="How many watch the stream now.")


class RecordingEvent(EventBase):
    """A recording of a live stream started or stopped."""

    type: Literal["recording"]
    action: Literal["started", "stopped"]
    recording: dict[str, Any] = Field(description="The recording as `GET /streams` shows it.")


class _CodeInView(EventBase):
    stream_id: str
    step_id: str = Field(description="The active scan step the code was judged against.")
    input: str = Field(description="The step's input the code was judged for.")
    text: str = Field(description="The code's text, as a manual scan would send it.")
    format: str = Field(description="The symbology (QRCode, DataMatrix, ...).")


class ScanEvent(_CodeInView):
    """A code in a live stream that the active step accepts (transient: nothing recorded)."""

    type: Literal["scan"]
    resolved: dict[str, Any] = Field(description="What the code identifies, as a scan shows it.")


class ScanRejectedEvent(_CodeInView):
    """A code in a live stream that the active step refuses, with a manual scan's reason."""

    type: Literal["scan_rejected"]
    reason: str
    code: str = Field(description="Why, for programs (`lot_quarantined`, `unknown_code`, ...).")


class MaterialQuantity(BaseModel):
    """A lot and how much of it (`quantity` absent when the use was not weighed)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lot_number: str
    material: str
    quantity: str | None = None
    unit: str | None = None


class OrderEvent(EventBase):
    """A batch was created from an ERP order, or completed it: then with what the batch
    consumed and what it yielded (the report back to the ERP)."""

    type: Literal["order"]
    order_id: str
    order_number: str
    status: Literal["started", "completed"]
    planned_quantity: str | None = Field(None, description="On completion: what was planned.")
    unit: str | None = Field(None, description="On completion: the unit of the plan.")
    consumed: list[MaterialQuantity] | None = Field(None, description="On completion.")
    produced: list[MaterialQuantity] | None = Field(None, description="On completion.")
    yield_pct: float | None = Field(
        None, description="On completion: produced over planned, in %, when comparable."
    )


class LotEvent(EventBase):
    """A lot was received, produced, released, rejected or put back in quarantine. A lot
    belongs to no batch (`batch_id` is null): its events are numbered per lot (`seq`), so
    a webhook receives each lot's events in order."""

    type: Literal["lot"]
    lot_id: str
    lot_number: str
    material: str
    change: Literal["received", "produced", "released", "rejected", "quarantined"]
    status: str
    quantity: str
    unit: str


Event = Annotated[
    BatchEvent
    | StepEvent
    | DeviationEvent
    | HoldEvent
    | AttachmentEvent
    | AnnotationEvent
    | ChatEvent
    | StreamEvent
    | ViewersEvent
    | RecordingEvent
    | ScanEvent
    | ScanRejectedEvent
    | OrderEvent
    | LotEvent,
    Field(discriminator="type"),
]
EVENTS: TypeAdapter[Event] = TypeAdapter(Event)


class Hello(BaseModel):
    """The first message on a WebSocket: who the server knows the client as."""

    type: Literal["hello"] = "hello"
    user: str


class SubscriptionChanged(BaseModel):
    """The answer to `{"subscribe": topic}` or `{"unsubscribe": topic}`.

    To `{"subscribe": "batch:<id>", "after": seq}` it echoes `after`, and the batch's events
    after that seq follow, in order, before the live ones."""

    type: Literal["subscribed", "unsubscribed"]
    topic: str
    after: int | None = Field(None, description="The `after` of a resuming subscription.")
    head: int | None = Field(
        None,
        description="For a batch topic, the seq of the batch's newest event as the subscription "
        "began: without `after`, the events that follow are those after it.",
    )


class Lagging(BaseModel):
    """The client read too slowly and its queue of events overflowed: its subscription to
    `topic` is dropped. Subscribe again with `{"subscribe": topic, "after": after}` to
    receive, without gap, what followed the last event delivered (`after`)."""

    type: Literal["lagging"] = "lagging"
    topic: str
    batch_id: str | None = Field(None, description="The batch of a `batch:<id>` topic.")
    after: int | None = Field(
        None, description="For a `batch:<id>` topic: the seq of the last event delivered."
    )


class ProtocolError(BaseModel):
    """A message the server could not act on (not JSON, unknown command or topic)."""

    type: Literal["error"] = "error"
    detail: str


Reply = Annotated[
    Hello | SubscriptionChanged | Lagging | ProtocolError, Field(discriminator="type")
]
REPLIES: TypeAdapter[Reply] = TypeAdapter(Reply)


def parse_event(data: dict[str, Any]) -> Event:
    """A wire event as its model; pydantic's ValidationError when it breaks the contract."""
    return EVENTS.validate_python(data)

"""Annotation and chat refusals.

StepwiseError
 ├── NotFound
 │    └── AnnotationNotFound      the batch has no annotation with this id
 ├── Conflict
 │    ├── AnnotationCleared       already cleared: it can be neither cleared nor acknowledged
 │    └── AnnotationAcknowledged  already acknowledged by an operator
 └── Invalid
      └── StreamNotOfBatch        the stream id names another batch's stream

A completed batch and a step id of no step of the batch are refused by the batch's write
rules (server.batches.remarks: BatchRecordClosed, StepNotOfBatch).
"""

from __future__ import annotations

from datetime import datetime

from server.clock import isoformat
from server.errors import Conflict, Invalid, NotFound, Problem


class AnnotationNotFound(NotFound):
    def __init__(self, batch_id: str, annotation_id: str) -> None:
        super().__init__(f"Batch {batch_id!r} has no annotation {annotation_id!r}.")


class AnnotationCleared(Conflict):
    def __init__(self, annotation_id: str, cleared_at: datetime) -> None:
        super().__init__(
            f"Annotation {annotation_id!r} was cleared at {isoformat(cleared_at)}.",
            current={"state": "cleared", "cleared_at": isoformat(cleared_at)},
        )


class AnnotationAcknowledged(Conflict):
    def __init__(self, annotation_id: str, acknowledged_at: datetime) -> None:
        super().__init__(
            f"Annotation {annotation_id!r} was already acknowledged at "
            f"{isoformat(acknowledged_at)}.",
            current={"state": "acknowledged", "acknowledged_at": isoformat(acknowledged_at)},
        )


class StreamNotOfBatch(Invalid):
    def __init__(self, stream_id: str, batch_id: str) -> None:
        super().__init__(
            f"Stream {stream_id!r} is not a stream of batch {batch_id!r}: use the batch id "
            "or `{batch_id}.{name}`.",
            problems=[Problem("stream_id", "not a stream of this batch")],
        )

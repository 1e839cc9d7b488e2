"""Live video refusals.

StepwiseError
 ├── NotFound
 │    ├── StreamBatchNotFound    the batch a stream id names does not exist
 │    ├── StreamNotLive          nobody publishes the stream a viewer asks for
 │    └── StreamSessionNotFound  the WHIP/WHEP session of a DELETE has ended or never existed
 ├── Conflict
 │    └── StreamAlreadyLive      the stream already has its one publisher
 └── Invalid
      ├── StreamIdInvalid        the stream id is not `{batch_id}` or `{batch_id}.{name}`
      ├── SdpExpected            the body is not of type application/sdp (415)
      └── OfferRefused           the SDP offer cannot be negotiated
"""

from __future__ import annotations

from server.errors import Conflict, Invalid, NotFound
from server.web.body import UnsupportedMediaType


class StreamBatchNotFound(NotFound):
    def __init__(self, batch_id: str) -> None:
        super().__init__(f"No batch {batch_id!r}: a stream belongs to an existing batch.")


class StreamNotLive(NotFound):
    def __init__(self, stream_id: str) -> None:
        super().__init__(f"Stream {stream_id!r} is not live.")


class StreamSessionNotFound(NotFound):
    def __init__(self, stream_id: str, session_id: str) -> None:
        super().__init__(f"Stream {stream_id!r} has no session {session_id!r}.")


class StreamAlreadyLive(Conflict):
    def __init__(self, stream_id: str, publisher: str) -> None:
        super().__init__(
            f"Stream {stream_id!r} is already published by {publisher}; one publisher per stream.",
            current={"stream_id": stream_id, "publisher": publisher},
        )


class StreamIdInvalid(Invalid):
    def __init__(self, stream_id: str) -> None:
        super().__init__(
            f"{stream_id!r} is not a stream id: use the batch id, or `{{batch_id}}.{{name}}` "
            "with a name of lowercase letters, digits and dashes.",
            errors=[{"field": "stream_id", "message": "not a stream id"}],
        )


class SdpExpected(UnsupportedMediaType):
    def __init__(self, content_type: str) -> None:
        super().__init__(f"Expected Content-Type application/sdp, got {content_type or 'none'!r}.")


class OfferRefused(Invalid):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The SDP offer is refused: {reason}.",
            errors=[{"field": "body", "code": "sdp_offer", "message": reason}],
        )

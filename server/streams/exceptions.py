"""Live video refusals.

StepwiseError
 ├── NotFound
 │    ├── StreamBatchNotFound    the batch a stream id names does not exist
 │    ├── StreamNotLive          nobody publishes the stream a viewer asks for
 │    ├── StreamProcessGone      the server process the stream lived in stopped answering
 │    ├── StreamSessionNotFound  the WHIP/WHEP session of a DELETE has ended or never existed
 │    └── RecordingNotFound      the stream has no recording of that id
 ├── Conflict
 │    ├── StreamAlreadyLive      the stream already has its one publisher
 │    ├── NothingToRecord        the stream carries no video (talk-back audio)
 │    ├── RecordingRunning       the stream is being recorded already
 │    ├── RecordingNotRunning    the recording has stopped already
 │    └── NoFrame                the stream delivered no picture in time (a snapshot)
 ├── Forbidden
 │    └── RecordingNotPermitted  only the publisher or an expert records a stream
 └── Invalid
      ├── StreamIdInvalid        the stream id is not `{batch_id}` or `{batch_id}.{name}`
      ├── SdpExpected            the body is not of type application/sdp (415)
      └── OfferRefused           the SDP offer cannot be negotiated
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.errors import Conflict, Forbidden, Invalid, NotFound, Problem, UnsupportedMediaType

if TYPE_CHECKING:
    from server.streams.ids import StreamId


class StreamBatchNotFound(NotFound):
    def __init__(self, batch_id: str) -> None:
        super().__init__(f"No batch {batch_id!r}: a stream belongs to an existing batch.")


class StreamNotLive(NotFound):
    def __init__(self, stream_id: StreamId) -> None:
        super().__init__(f"Stream {str(stream_id)!r} is not live.")


class StreamProcessGone(NotFound):
    """The stream lived in another server process, which stopped answering: it has ended."""

    def __init__(self, stream_id: StreamId, process_url: str) -> None:
        super().__init__(
            f"Stream {str(stream_id)!r} has ended: the server process it lived in "
            f"({process_url}) stopped answering. Its publisher may publish it again."
        )


class StreamSessionNotFound(NotFound):
    def __init__(self, stream_id: StreamId, session_id: str) -> None:
        super().__init__(f"Stream {str(stream_id)!r} has no session {session_id!r}.")


class StreamAlreadyLive(Conflict):
    def __init__(self, stream_id: StreamId, publisher: str) -> None:
        super().__init__(
            f"Stream {str(stream_id)!r} is already published by {publisher}; "
            "one publisher per stream.",
            current={"stream_id": str(stream_id), "publisher": publisher},
        )


class StreamIdInvalid(Invalid):
    def __init__(self, stream_id: str) -> None:
        super().__init__(
            f"{stream_id!r} is not a stream id: use the batch id, or `{{batch_id}}.{{name}}` "
            "with a name of lowercase letters, digits and dashes.",
            problems=[Problem("stream_id", "not a stream id")],
        )


class SdpExpected(UnsupportedMediaType):
    def __init__(self, content_type: str) -> None:
        super().__init__(f"Expected Content-Type application/sdp, got {content_type or 'none'!r}.")


class OfferRefused(Invalid):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The SDP offer is refused: {reason}.",
            problems=[Problem("body", reason, code="sdp_offer")],
        )


class RecordingNotFound(NotFound):
    def __init__(self, stream_id: StreamId, recording_id: str) -> None:
        super().__init__(f"Stream {str(stream_id)!r} has no recording {recording_id!r}.")


class NothingToRecord(Conflict):
    def __init__(self, stream_id: StreamId) -> None:
        super().__init__(
            f"Stream {str(stream_id)!r} carries no VP8 or H.264 video to record.",
            current={"stream_id": str(stream_id)},
        )


class RecordingRunning(Conflict):
    def __init__(self, stream_id: StreamId, recording_id: str) -> None:
        super().__init__(
            f"Stream {str(stream_id)!r} is being recorded already (recording {recording_id!r}).",
            current={
                "stream_id": str(stream_id),
                "recording_id": recording_id,
                "status": "recording",
            },
        )


class RecordingNotRunning(Conflict):
    def __init__(self, recording_id: str, status: str) -> None:
        super().__init__(
            f"Recording {recording_id!r} is not running: it is {status}.",
            current={"recording_id": recording_id, "status": status},
        )


class RecordingNotPermitted(Forbidden):
    def __init__(self, stream_id: StreamId) -> None:
        super().__init__(
            f"Only the publisher of stream {str(stream_id)!r} or an expert (supervisor, qa, "
            "author, admin) may record it."
        )


class NoFrame(Conflict):
    """The stream is live but delivered no picture in time (a stalled or frozen camera)."""

    def __init__(self, stream_id: StreamId, seconds: float) -> None:
        super().__init__(
            f"Stream {str(stream_id)!r} delivered no picture within {seconds:g} s; "
            "check the camera and try again.",
            current={"stream_id": str(stream_id), "waited_seconds": seconds},
        )

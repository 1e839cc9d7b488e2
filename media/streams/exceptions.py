"""Errors of the live video relay. They carry data; mapping them to HTTP is the server's job.

StreamError
├── OfferRejected     an SDP offer cannot be negotiated (not SDP, nothing the relay carries)
├── StreamEnded       the stream a viewer reads from has ended
└── RecordingFailed   a recording could not be written
"""

from __future__ import annotations


class StreamError(Exception):
    """Base of every error raised by the relay; `reason` says what is wrong."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class OfferRejected(StreamError):
    """The SDP offer is malformed or offers nothing the relay can carry."""


class StreamEnded(StreamError):
    """The publisher left; nothing more will arrive."""


class RecordingFailed(StreamError):
    """The container file of a recording could not be written."""

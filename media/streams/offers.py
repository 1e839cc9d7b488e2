"""Reading WHIP and WHEP offers: which tracks, in which codec, the relay will carry."""

from __future__ import annotations

from aiortc import RTCRtpCodecCapability
from aiortc import exceptions as aiortc_errors
from aiortc import sdp as aiortc_sdp

from media.streams.codecs import CODEC_NAMES, RELAYED, accepts, first_relayable
from media.streams.exceptions import OfferRejected
from media.streams.sdp_checks import check_offer

NEGOTIATION_ERRORS = (
    ValueError,
    LookupError,
    TypeError,
    aiortc_errors.InternalError,
    aiortc_errors.InvalidAccessError,
    aiortc_errors.InvalidStateError,
    aiortc_errors.OperationError,
    AssertionError,  # aiortc checks what it parses with assert; sdp_checks refuses it first
)
_SENDS = frozenset({"sendonly", "sendrecv"})
_RECEIVES = frozenset({"recvonly", "sendrecv"})


def parse_offer(offer: str) -> aiortc_sdp.SessionDescription:
    """The offer as SDP, or OfferRejected (also when it is beyond sdp_checks' limits)."""
    check_offer(offer)
    try:
        return aiortc_sdp.SessionDescription.parse(offer)
    except NEGOTIATION_ERRORS as exc:
        raise OfferRejected(f"the body is not an SDP offer: {exc}") from exc


def _first_of_each_kind(
    description: aiortc_sdp.SessionDescription,
) -> dict[str, aiortc_sdp.MediaDescription]:
    # aiortc pairs a transceiver of ours with the first m-line of its kind; others are declined.
    first: dict[str, aiortc_sdp.MediaDescription] = {}
    for media in description.media:
        if media.kind in RELAYED:
            first.setdefault(media.kind, media)
    return first


def publisher_codecs(
    description: aiortc_sdp.SessionDescription,
) -> dict[str, RTCRtpCodecCapability]:
    """For each kind (video, audio) the publisher sends in a relayed codec, that codec: the
    first the publisher lists. OfferRejected when it sends nothing the relay can carry."""
    media = _first_of_each_kind(description)
    if not media:
        raise OfferRejected("the offer has no video or audio")
    sending = {kind: m for kind, m in media.items() if m.direction in _SENDS}
    if not sending:
        raise OfferRejected(f"the offer does not send {' or '.join(media)}")
    chosen = {
        kind: capability
        for kind, m in sending.items()
        if (capability := first_relayable(m)) is not None
    }
    if not chosen:
        raise OfferRejected("the offer has neither VP8 or H.264 video nor Opus audio")
    return chosen


def viewer_codecs(
    description: aiortc_sdp.SessionDescription, carried: dict[str, str]
) -> dict[str, str]:
    """For each kind of `carried` (kind → the stream's codec) the viewer can receive, that
    codec. OfferRejected when the viewer can receive none of the stream's tracks."""
    media = _first_of_each_kind(description)
    receiving = {
        kind: m for kind, m in media.items() if kind in carried and m.direction in _RECEIVES
    }
    if not receiving:
        raise OfferRejected(f"the offer does not receive {' or '.join(carried)}")
    chosen = {kind: carried[kind] for kind, m in receiving.items() if accepts(m, carried[kind])}
    if not chosen:
        names = " and ".join(CODEC_NAMES[carried[kind]] for kind in receiving)
        raise OfferRejected(f"the stream is {names}, which the offer cannot receive")
    return chosen

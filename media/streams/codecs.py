"""The codecs the relay carries as they are (VP8, H.264, Opus): which one an offer gets, and
what a keyframe looks like in each.

Nothing is transcoded, so a viewer receives exactly the publisher's codec. The publisher's
answer therefore names a single codec, the first the publisher offers that aiortc can carry:
browsers and aiortc offer VP8 first, which makes it the default.
"""

from __future__ import annotations

from collections.abc import Iterator

from aiortc import RTCRtpCodecCapability, RTCRtpCodecParameters, RTCRtpSender
from aiortc.rtcpeerconnection import is_codec_compatible
from aiortc.sdp import MediaDescription

VP8 = "video/VP8"
H264 = "video/H264"
OPUS = "audio/opus"
RELAYED: dict[str, tuple[str, ...]] = {"video": (VP8, H264), "audio": (OPUS,)}
CODEC_NAMES = {VP8: "VP8", H264: "H.264", OPUS: "Opus"}
_RTX = "video/rtx"
_H264_IDR = 5
_H264_SPS = 7


def capabilities(kind: str) -> list[RTCRtpCodecCapability]:
    """What aiortc can negotiate for `kind` that the relay carries without transcoding."""
    found = RTCRtpSender.getCapabilities(kind)
    assert found is not None
    return [codec for codec in found.codecs if codec.mimeType in RELAYED[kind]]


def _as_parameters(capability: RTCRtpCodecCapability) -> RTCRtpCodecParameters:
    return RTCRtpCodecParameters(
        mimeType=capability.mimeType,
        clockRate=capability.clockRate,
        channels=capability.channels,
        parameters=dict(capability.parameters),
    )


def first_relayable(media: MediaDescription) -> RTCRtpCodecCapability | None:
    """The capability matching the first codec of `media` (in its order) that is relayed.

    For H.264 this respects packetization mode and profile, as aiortc's own negotiation does.
    """
    ours = capabilities(media.kind)
    for offered in media.rtp.codecs:
        for capability in ours:
            if is_codec_compatible(_as_parameters(capability), offered):
                return capability
    return None


def accepts(media: MediaDescription, mime_type: str) -> bool:
    """Whether `media` offers a codec of `mime_type` that aiortc can negotiate."""
    ours = [c for c in capabilities(media.kind) if c.mimeType == mime_type]
    return any(
        is_codec_compatible(_as_parameters(capability), offered)
        for offered in media.rtp.codecs
        for capability in ours
    )


def preferences(
    mime_type: str, first: RTCRtpCodecCapability | None = None
) -> list[RTCRtpCodecCapability]:
    """Codec preferences that negotiate `mime_type` only (`first` of its profiles leading),
    with retransmission for video."""
    kind = mime_type.split("/")[0]
    same = [c for c in capabilities(kind) if c.mimeType == mime_type]
    ordered = [first, *(c for c in same if c != first)] if first is not None else same
    if kind == "video":
        everything = RTCRtpSender.getCapabilities("video")
        assert everything is not None
        ordered += [c for c in everything.codecs if c.mimeType == _RTX]
    return ordered


def is_vp8_keyframe(data: bytes) -> bool:
    """Whether a VP8 frame is a keyframe: bit 0 of the frame tag is 0 (RFC 6386 9.1)."""
    return bool(data) and not data[0] & 0x01


def h264_nal_types(data: bytes) -> Iterator[int]:
    """The NAL unit types of an Annex B access unit (start code 00 00 01 before each unit)."""
    start = data.find(b"\x00\x00\x01")
    while start != -1 and start + 3 < len(data):
        yield data[start + 3] & 0x1F
        start = data.find(b"\x00\x00\x01", start + 3)


def is_h264_keyframe(data: bytes) -> bool:
    """Whether an H.264 access unit starts a decodable sequence: it has an IDR slice (type 5)
    or a sequence parameter set (type 7) announcing one."""
    return any(nal in (_H264_IDR, _H264_SPS) for nal in h264_nal_types(data))


def is_keyframe(mime_type: str, data: bytes) -> bool:
    """Whether a viewer can start decoding at this frame. Every Opus packet decodes alone."""
    if mime_type == VP8:
        return is_vp8_keyframe(data)
    if mime_type == H264:
        return is_h264_keyframe(data)
    return True

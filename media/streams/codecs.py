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
_H264_STAP_A = 24
_H264_FU_A = 28


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


def _vp8_payload_start(payload: bytes) -> int | None:
    """Where the VP8 frame data starts in an RTP payload that begins a frame (start of
    partition 0, RFC 7741 4.2), or None for any other packet."""
    if len(payload) < 2 or payload[0] & 0x1F != 0x10:  # S set, partition index 0
        return None
    offset = 1
    if payload[0] & 0x80:  # X: an extension byte follows, saying which fields come
        extension = payload[1]
        offset = 2
        if extension & 0x80:  # I: picture id, 7 or 15 bits
            offset += 2 if len(payload) > offset and payload[offset] & 0x80 else 1
        if extension & 0x40:  # L: TL0PICIDX
            offset += 1
        if extension & 0x30:  # T or K: TID/Y/KEYIDX
            offset += 1
    return offset if offset < len(payload) else None


def vp8_starts_keyframe(payload: bytes) -> bool:
    """Whether a VP8 RTP payload is the first packet of a keyframe."""
    start = _vp8_payload_start(payload)
    return start is not None and not payload[start] & 0x01


def _h264_packet_nal_types(payload: bytes) -> Iterator[int]:
    """The types of the NAL units an H.264 RTP payload carries or starts (RFC 6184 5.6-5.8)."""
    kind = payload[0] & 0x1F
    if kind == _H264_STAP_A:
        offset = 1
        while offset + 2 < len(payload):
            size = int.from_bytes(payload[offset : offset + 2], "big")
            yield payload[offset + 2] & 0x1F
            offset += 2 + size
    elif kind == _H264_FU_A:
        if len(payload) > 1 and payload[1] & 0x80:  # S: the fragmented unit starts here
            yield payload[1] & 0x1F
    else:
        yield kind


def h264_starts_keyframe(payload: bytes) -> bool:
    """Whether an H.264 RTP payload begins a decodable sequence: it carries a sequence
    parameter set, or starts an IDR slice."""
    return bool(payload) and any(
        nal in (_H264_IDR, _H264_SPS) for nal in _h264_packet_nal_types(payload)
    )


def starts_keyframe(mime_type: str, payload: bytes) -> bool:
    """Whether a viewer can start decoding at this RTP packet (any Opus packet will do)."""
    if mime_type == VP8:
        return vp8_starts_keyframe(payload)
    if mime_type == H264:
        return h264_starts_keyframe(payload)
    return True

"""A viewer's RTP header, laid out once and filled in per packet, is the one aiortc makes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtp import HeaderExtensionsMap, RtpPacket

from media.streams.aiortc_seams import _HeaderLayout

MID = "urn:ietf:params:rtp-hdrext:sdes:mid"
ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"


def _sender(uris: list[str]) -> SimpleNamespace:
    extensions = HeaderExtensionsMap()
    extensions.configure(
        RTCRtpParameters(
            headerExtensions=[
                RTCRtpHeaderExtensionParameters(id=n + 1, uri=uri) for n, uri in enumerate(uris)
            ]
        )
    )
    return SimpleNamespace(
        _ssrc=0x1234ABCD,
        _RTCRtpSender__mid="0",
        _RTCRtpSender__rtp_header_extensions_map=extensions,
    )


@pytest.mark.parametrize("uris", [[MID, ABS_SEND_TIME], [ABS_SEND_TIME, MID], [MID], []])
def test_each_packet_is_serialized_as_aiortc_would(uris: list[str]) -> None:
    sender = _sender(uris)
    layout = _HeaderLayout(sender, payload_type=97)
    for marker, sequence, timestamp, abs_send_time in (
        (0, 1, 2, 3),
        (1, 65535, 2**32 - 1, 2**24 - 1),
    ):
        packet = RtpPacket(97, marker, sequence, timestamp, sender._ssrc, b"payload")
        packet.extensions.mid = "0"
        packet.extensions.abs_send_time = abs_send_time
        expected = packet.serialize(sender._RTCRtpSender__rtp_header_extensions_map)
        assert layout.serialize(packet, abs_send_time) == expected

"""Audio (Opus) relayed as it is: talk-back from an expert's microphone to the headset."""

from __future__ import annotations

from typing import Any

import pytest

from media.streams.codecs import OPUS, VP8
from media.streams.webrtc import RelayedAudioTrack, RelayedVideoTrack
from server.streams.ids import StreamId
from server.streams.live import LiveStreams
from tests.client import ApiClient
from tests.streams.media_peers import (
    TONE_HZ,
    Receiver,
    Tone,
    dominant_frequency,
    publish_tracks,
    receive,
)
from tests.streams.peers import MovingBar
from tests.streams.sessions import post_sdp

# What is relayed is the point here, not the database: one backend is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _assert_audio_not_transcoded(live: LiveStreams, stream_id: str) -> None:
    stream = live.get(StreamId.parse(stream_id))
    assert stream.peer.decoder_tapped
    senders = [
        t.sender
        for session in stream.viewers.values()
        for t in session.pc.getTransceivers()
        if t.kind == "audio"
    ]
    assert senders
    for sender in senders:
        assert isinstance(sender.track, RelayedAudioTrack)
        # aiortc's Opus encoder notes its first packet's time when it encodes; it never did.
        assert sender._RTCRtpSender__encoder.first_packet_pts is None


async def test_an_experts_microphone_reaches_the_headset(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    talkback = f"{batch['id']}.talkback"
    # quinn (QA) is an expert: not shop floor, yet may publish the talk-back stream.
    expert = await publish_tracks(api, talkback, Tone(), as_user="quinn")
    assert "opus/48000/2" in expert.answer and "m=video" not in expert.answer
    headset = Receiver()
    headset.want("audio")
    try:
        response = await receive(api, talkback, headset, as_user="olivia")
        assert response.status == 201, await response.text()
        await headset.wait_for("audio", 50)  # a second of sound
        assert abs(dominant_frequency(headset.frames["audio"][-40:]) - TONE_HZ) < 10
        stream = live.get(StreamId.parse(talkback))
        assert (stream.peer.audio.codec, stream.relay.codec) == (OPUS, None)
        _assert_audio_not_transcoded(live, talkback)
        listed = (await api.get("/streams", "olivia")).body
        assert [(s["stream_id"], s["publisher"], s["viewers"]) for s in listed] == [
            (talkback, "quinn", 1)
        ]
    finally:
        await headset.close()
        await expert.pc.close()


async def test_experts_may_publish_talkback_only(api: ApiClient, batch: dict[str, Any]) -> None:
    for name in (batch["id"], f"{batch['id']}.camera-2"):
        response = await post_sdp(api, f"/streams/{name}/whip", "quinn", "v=0")
        assert response.status == 403, name


async def test_a_viewer_of_talkback_must_receive_audio(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    talkback = f"{batch['id']}.talkback"
    expert = await publish_tracks(api, talkback, Tone(), as_user="quinn")
    viewer = Receiver()
    viewer.want("video")
    try:
        response = await receive(api, talkback, viewer, as_user="olivia")
        assert response.status == 422
        assert "does not receive audio" in (await response.json())["detail"]
        assert live.get(StreamId.parse(talkback)).peer.audio.viewer_count == 0
    finally:
        await viewer.close()
        await expert.pc.close()


async def test_audio_and_video_of_one_publisher_are_both_relayed(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any]
) -> None:
    publisher = await publish_tracks(api, batch["id"], Tone(), MovingBar())
    both, video_only = Receiver(), Receiver()
    both.want("audio")
    both.want("video")
    video_only.want("video")
    try:
        for receiver in (both, video_only):
            response = await receive(api, batch["id"], receiver, as_user="sam")
            assert response.status == 201, await response.text()
        await both.wait_for("audio", 25)
        await both.wait_for("video", 5)
        await video_only.wait_for("video", 5)
        assert video_only.frames.keys() == {"video"}
        stream = live.get(StreamId.parse(batch["id"]))
        assert (stream.relay.codec, stream.peer.audio.codec) == (VP8, OPUS)
        assert (stream.relay.viewer_count, stream.peer.audio.viewer_count) == (2, 1)
        _assert_audio_not_transcoded(live, batch["id"])
        for session in stream.viewers.values():
            assert isinstance(session.transceiver.sender.track, RelayedVideoTrack)
    finally:
        for receiver in (both, video_only):
            await receiver.close()
        await publisher.pc.close()

"""The server's decoder: idle until pictures are needed, sampled, and gone when not."""

from __future__ import annotations

import asyncio
import fractions

import av
import numpy as np
import pytest

from media.streams.codecs import H264, VP8
from media.streams.decoder import DecodedFrame, FrameDecoder
from media.streams.exceptions import StreamEnded
from media.streams.frames import EncodedFrame
from media.streams.relay import KeyframeRequests, Relay
from tests.streams.scenes import until

WIDTH, HEIGHT = 320, 240
TICKS = 3000  # 90 kHz RTP ticks between frames: 30 frames per second


ENCODERS = {
    VP8: ("libvpx", {"deadline": "realtime", "lag-in-frames": "0"}),
    H264: ("libx264", {"preset": "ultrafast", "tune": "zerolatency"}),
}


def _encoded(count: int, codec: str = VP8) -> list[EncodedFrame]:
    """`count` frames of a moving bar, the first a keyframe, as a publisher sends them."""
    name, options = ENCODERS[codec]
    encoder = av.CodecContext.create(name, "w")
    encoder.width, encoder.height, encoder.pix_fmt = WIDTH, HEIGHT, "yuv420p"
    encoder.time_base = fractions.Fraction(1, 90_000)
    encoder.options = options
    frames = []
    for index in range(count):
        image = np.full((HEIGHT, WIDTH, 3), 40, dtype=np.uint8)
        image[:, (index * 8) % WIDTH :][:, :16] = 255
        picture = av.VideoFrame.from_ndarray(image, format="bgr24").reformat(format="yuv420p")
        picture.pts = index * TICKS
        for packet in encoder.encode(picture):
            frames.append(EncodedFrame(bytes(packet), index * TICKS, packet.is_keyframe))
    return frames


@pytest.fixture(scope="module")
def stream() -> list[EncodedFrame]:
    return _encoded(31)


class _Samples:
    def __init__(self) -> None:
        self.frames: list[DecodedFrame] = []

    def __call__(self, frame: DecodedFrame) -> None:
        self.frames.append(frame)


async def _feed(relay: Relay, decoder: FrameDecoder, frames: list[EncodedFrame]) -> None:
    """Publish frames one at a time, as they arrive live, each decoded before the next."""
    for frame in frames:
        await _decoded(relay, decoder, frame)


async def _decoded(relay: Relay, decoder: FrameDecoder, frame: EncodedFrame) -> None:
    decoded = decoder.decoded
    relay.publish(frame)
    await until(lambda: decoder.decoded > decoded, seconds=5)


async def test_an_idle_decoder_takes_no_frames(stream: list[EncodedFrame]) -> None:
    relay = Relay("video")
    decoder = FrameDecoder(relay, _Samples())
    for frame in stream[:5]:
        relay.publish(frame)
    await asyncio.sleep(0.05)
    assert relay.viewer_count == 0
    assert (decoder.running, decoder.starts, decoder.decoded) == (False, 0, 0)


async def test_sampling_hands_out_pictures_at_the_sample_rate(stream: list[EncodedFrame]) -> None:
    relay, samples = Relay("video"), _Samples()
    asked: list[int] = []
    relay.keyframes.send = lambda: asked.append(1)
    decoder = FrameDecoder(relay, samples, sample_rate=5)
    decoder.sample(True)
    assert relay.viewer_count == 1 and asked  # joining asks the publisher for a keyframe
    await _feed(relay, decoder, stream)  # one second of video at 30 frames per second
    assert decoder.decoded == len(stream)
    assert [frame.timestamp for frame in samples.frames] == [0, 18000, 36000, 54000, 72000, 90000]
    assert samples.frames[0].size == (WIDTH, HEIGHT)
    assert samples.frames[0].image.shape == (HEIGHT, WIDTH, 3)
    assert decoder.latest is samples.frames[-1]

    decoder.sample(False)
    assert relay.viewer_count == 0 and not decoder.running and decoder.latest is None
    await decoder.close()


async def test_next_frame_starts_the_decoder_at_a_keyframe_and_stops_it_after(
    stream: list[EncodedFrame],
) -> None:
    relay, samples = Relay("video"), _Samples()
    decoder = FrameDecoder(relay, samples)
    waiting = asyncio.ensure_future(decoder.next_frame())
    await until(lambda: relay.viewer_count == 1)
    for frame in stream[1:4]:  # joining mid-stream: deltas are useless before a keyframe
        relay.publish(frame)
    relay.publish(stream[0])
    async with asyncio.timeout(5):
        picture = await waiting
    assert picture.timestamp == 0 and picture.size == (WIDTH, HEIGHT)
    assert samples.frames == []  # a snapshot is no sample
    assert relay.viewer_count == 0 and not decoder.running


async def test_a_broken_frame_is_counted_and_asks_for_a_keyframe(
    stream: list[EncodedFrame],
) -> None:
    relay = Relay("video", keyframes=KeyframeRequests(min_interval=0))
    asked: list[int] = []
    relay.keyframes.send = lambda: asked.append(1)
    decoder = FrameDecoder(relay, _Samples())
    decoder.sample(True)
    await _feed(relay, decoder, stream[:2])
    joined = len(asked)
    relay.publish(EncodedFrame(b"\x01" + bytes(40), 2 * TICKS, False))
    await until(lambda: decoder.failed == 1)
    assert len(asked) > joined
    await decoder.close()


async def test_waiting_for_a_frame_of_an_ended_stream_fails() -> None:
    relay = Relay("video")
    decoder = FrameDecoder(relay, _Samples())
    waiting = asyncio.ensure_future(decoder.next_frame())
    await until(lambda: relay.viewer_count == 1)
    relay.end()
    with pytest.raises(StreamEnded):
        async with asyncio.timeout(5):
            await waiting
    with pytest.raises(StreamEnded):
        await decoder.next_frame()
    assert not decoder.running


async def test_an_h264_stream_is_decoded_as_the_publisher_sends_it() -> None:
    relay = Relay("video")
    relay.codec = H264
    decoder = FrameDecoder(relay, _Samples())
    waiting = asyncio.ensure_future(decoder.next_frame())
    await until(lambda: relay.viewer_count == 1)
    for frame in _encoded(3, H264):
        relay.publish(frame)
    async with asyncio.timeout(5):
        picture = await waiting
    assert picture.size == (WIDTH, HEIGHT) and decoder.failed == 0

"""What forwarding one RTP packet to one viewer costs the server, measured in process.

N real aiortc viewers (in this process, counting frames without decoding) are each answered
by the relay's own `Viewer`; a synthetic VP8 stream (30 frames per second, four 1,100-byte
packets each) is pushed through `Relay.forward`. The thread CPU time spent inside
`Relay.forward` (renumbering, header, SRTP, `sendto`: everything a viewer costs per packet, and
nothing of the viewers' own receiving) is divided by packets times viewers, per round.

    .venv/bin/python bench/relay_send.py [--viewers 10] [--seconds 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from typing import Any

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.rtp import RtpPacket

from media.streams.relay import Relay
from media.streams.webrtc import Viewer

FPS, PACKETS_PER_FRAME, PAYLOAD = 30, 4, 1100
_DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"


class _FrameCounter:
    """Stands in for a receiver's decoder queue: counts whole frames instead of decoding."""

    def __init__(self) -> None:
        self.frames = 0

    def put(self, item: Any) -> None:
        if item is not None:
            self.frames += 1

    def get(self) -> None:
        return None


async def _viewer(relay: Relay) -> tuple[Viewer, RTCPeerConnection, _FrameCounter]:
    viewer = Viewer(relay)
    pc = RTCPeerConnection()
    counter = _FrameCounter()
    receiver = pc.addTransceiver("video", direction="recvonly").receiver
    setattr(receiver, _DECODER_QUEUE, counter)
    await pc.setLocalDescription(await pc.createOffer())
    answer = await viewer.answer(pc.localDescription.sdp)
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    return viewer, pc, counter


def _frame(sequence: int, timestamp: int) -> list[RtpPacket]:
    """One VP8 keyframe's packets (only the first starts it, the last is marked)."""
    packets = []
    for index in range(PACKETS_PER_FRAME):
        descriptor = bytes([0x10 if index == 0 else 0x00, 0x00])  # S bit, then a key tag
        packets.append(
            RtpPacket(
                payload_type=96,
                marker=int(index == PACKETS_PER_FRAME - 1),
                sequence_number=(sequence + index) % 65536,
                timestamp=timestamp,
                ssrc=0x51C0FFEE,
                payload=descriptor + bytes(PAYLOAD - 2),
            )
        )
    return packets


async def _round(relay: Relay, viewers: int, seconds: float, start: int) -> tuple[float, int]:
    """µs of CPU per packet and viewer over one round, and the next sequence number."""
    spent, sent, sequence = 0, 0, start
    frames = int(seconds * FPS)
    began = time.monotonic()
    for index in range(frames):
        packets = _frame(sequence, index * 3000)
        sequence += PACKETS_PER_FRAME
        before = time.thread_time_ns()
        for packet in packets:
            await relay.forward(packet)
        spent += time.thread_time_ns() - before
        sent += len(packets)
        await asyncio.sleep(max(0.0, began + (index + 1) / FPS - time.monotonic()))
    return spent / 1000 / (sent * viewers), sequence


async def run(args: argparse.Namespace) -> None:
    relay = Relay("video")
    relay.codec = "video/VP8"
    made = [await _viewer(relay) for _ in range(args.viewers)]
    sequence, figures = 0, []
    async with asyncio.timeout(60):  # until every viewer is connected and receiving frames
        while not all(counter.frames for _, _, counter in made):
            _, sequence = await _round(relay, args.viewers, 1.0, sequence)
    _, sequence = await _round(relay, args.viewers, 1.0, sequence)
    for number in range(args.rounds):
        figure, sequence = await _round(relay, args.viewers, args.seconds, sequence)
        figures.append(figure)
        print(f"round {number + 1}: {figure:.2f} µs per packet and viewer", flush=True)
    frames = [counter.frames for _, _, counter in made]
    print(
        f"{args.viewers} viewers: median {statistics.median(figures):.2f} µs"
        f" (range {min(figures):.2f}-{max(figures):.2f}), frames received per viewer"
        f" {min(frames)}-{max(frames)}"
    )
    for viewer, pc, _ in made:
        await viewer.close()
        await pc.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()

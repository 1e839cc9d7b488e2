"""A standard WHIP client as its own process: FFmpeg's WHIP muxer (through PyAV's FFmpeg)
publishes an H.264 moving bar until SIGTERM, then ends the session (DELETE) and exits.

PyAV keeps the GIL while FFmpeg does its network I/O (the WHIP exchange, ICE, DTLS), so the
publisher cannot share a process with the server it talks to.

    python -m tests.streams.ffmpeg_whip_publisher URL OPTIONS_JSON
"""

from __future__ import annotations

import fractions
import json
import signal
import sys
import time

import av
import numpy as np

WIDTH, HEIGHT, FPS = 320, 240, 30
MAX_SECONDS = 60


def publish(url: str, options: dict[str, str]) -> int:
    """Publish until SIGTERM (or MAX_SECONDS); the frames sent."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    with av.open(url, mode="w", format="whip", options=options) as output:
        video = output.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.time_base = fractions.Fraction(1, FPS)
        # What the README's ffmpeg command asks for: no B-frames, a keyframe every second.
        video.options = {"tune": "zerolatency", "profile": "baseline", "g": str(FPS), "bf": "0"}
        sent = 0
        while not stopping and sent < MAX_SECONDS * FPS:
            image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
            image[:, (sent * 8) % WIDTH :][:, :24] = 255
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = sent
            output.mux(video.encode(frame))
            sent += 1
            if sent == 1:
                print("publishing", flush=True)
            time.sleep(1 / FPS)
        output.mux(video.encode(None))
    return sent


if __name__ == "__main__":
    print(f"sent {publish(sys.argv[1], json.loads(sys.argv[2]))} frames", flush=True)

"""A fake camera for Chromium: a `.y4m` video that shows a code, and the flags that use it.

Chromium's `--use-file-for-fake-video-capture` plays a YUV4MPEG2 file in a loop as the
camera; `--use-fake-ui-for-media-stream` grants the camera without asking.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from media.symbols import qr_modules, raster

FRAME_SIZE = (640, 480)  # width, height: even, as 4:2:0 chroma needs


def code_frame(text: str, size: tuple[int, int] = FRAME_SIZE, module_px: int = 8) -> np.ndarray:
    """A grey frame (height x width, uint8) with the QR code of `text` in its middle."""
    width, height = size
    frame = np.full((height, width), 200, dtype=np.uint8)  # a bench top, lighter than black
    symbol = raster(qr_modules(text), module_px)
    top = (height - symbol.shape[0]) // 2
    left = (width - symbol.shape[1]) // 2
    frame[top : top + symbol.shape[0], left : left + symbol.shape[1]] = symbol
    return frame


def write_y4m(path: Path, gray: np.ndarray, frames: int = 2) -> Path:
    """Write `gray` as a YUV4MPEG2 video of `frames` identical 4:2:0 frames at 30 fps."""
    height, width = gray.shape
    chroma = np.full((height // 2) * (width // 2), 128, dtype=np.uint8).tobytes()
    frame = b"FRAME\n" + gray.tobytes() + chroma + chroma
    header = f"YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * frames)
    return path


def camera_args(video: Path) -> list[str]:
    """Chromium flags that make `video` the camera, granted without a prompt."""
    return [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]

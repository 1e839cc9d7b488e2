"""A video file played in a loop, as if it were a camera."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from headset_client.exceptions import CameraUnavailable


class VideoFile:
    """Frames of a video file (anything OpenCV reads), from the start again at its end."""

    def __init__(self, path: Path) -> None:
        self._capture = cv2.VideoCapture(str(path))
        if not self._capture.isOpened():
            raise CameraUnavailable(f"cannot play {path}")
        self.fps = float(self._capture.get(cv2.CAP_PROP_FPS)) or 30.0
        self._path = path

    def read(self) -> np.ndarray:
        ok, frame = self._capture.read()
        if not ok:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, frame = self._capture.read()
        if not ok:
            raise CameraUnavailable(f"{self._path} has no frame")
        return frame

    def close(self) -> None:
        self._capture.release()

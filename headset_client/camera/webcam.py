"""A webcam, through OpenCV's VideoCapture."""

from __future__ import annotations

import cv2
import numpy as np

from headset_client.exceptions import CameraUnavailable


class Webcam:
    """The camera with this device index (0: the first one)."""

    def __init__(self, index: int = 0) -> None:
        self._capture = cv2.VideoCapture(index)
        if not self._capture.isOpened():
            raise CameraUnavailable(f"no webcam at index {index}")
        self.fps = float(self._capture.get(cv2.CAP_PROP_FPS)) or 30.0

    def read(self) -> np.ndarray:
        ok, frame = self._capture.read()
        if not ok:
            raise CameraUnavailable("the webcam delivered no frame")
        return frame

    def close(self) -> None:
        self._capture.release()

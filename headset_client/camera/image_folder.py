"""A folder of photos shown one after the other, each for a while, as if it were a camera."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from headset_client.exceptions import CameraUnavailable

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".webp"}


class ImageFolder:
    """The images of a folder in name order, each repeated for `seconds_each`, in a loop."""

    def __init__(self, folder: Path, seconds_each: float = 2.0, fps: float = 15.0) -> None:
        self._paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self._paths:
            raise CameraUnavailable(f"no images in {folder}")
        self.fps = fps
        self._repeat = max(1, round(seconds_each * fps))
        self._count = 0
        self._current: tuple[int, np.ndarray] | None = None

    def read(self) -> np.ndarray:
        index = (self._count // self._repeat) % len(self._paths)
        self._count += 1
        if self._current is None or self._current[0] != index:
            frame = cv2.imread(str(self._paths[index]), cv2.IMREAD_COLOR)
            if frame is None:
                raise CameraUnavailable(f"cannot read {self._paths[index]}")
            self._current = (index, frame)
        return self._current[1]

    def close(self) -> None:
        self._current = None

"""Showing the picture with its annotations: an OpenCV window where there is a display,
otherwise an image file (rewritten on every change) and a log line."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import cv2
import numpy as np

from headset_client.annotations import Annotation
from headset_client.overlay import draw_annotations

log = logging.getLogger(__name__)
WINDOW = "Stepwise headset"


class OverlayDisplay:
    """Where annotated frames go. `show` blocks on drawing and writing: call it in a thread."""

    def __init__(self, folder: Path) -> None:
        self.file = folder / "overlay.png"
        self._window = _open_window()

    @property
    def windowed(self) -> bool:
        return self._window

    def show(self, frame: np.ndarray, annotations: list[Annotation]) -> Path | None:
        """Draw and show; returns the file written when there is no window."""
        drawn = draw_annotations(frame, annotations)
        if self._window:
            cv2.imshow(WINDOW, drawn)
            cv2.waitKey(1)
            return None
        self.file.parent.mkdir(parents=True, exist_ok=True)
        partial = self.file.with_suffix(".partial.png")
        cv2.imwrite(str(partial), drawn)
        os.replace(partial, self.file)
        log.info("overlay: %d annotation(s) drawn into %s", len(annotations), self.file)
        return self.file

    def close(self) -> None:
        if self._window:
            cv2.destroyWindow(WINDOW)
            self._window = False


def _open_window() -> bool:
    """Whether a window could be opened (a display, and an OpenCV built with a GUI)."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return False
    try:
        cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL)
    except cv2.error:
        return False
    return True

"""A rendered scene: a Stepwise label with a QR code (and a GS1 DataMatrix for GS1 text)
moving and turning slowly on a cluttered desk, the same frames for the same settings."""

from __future__ import annotations

import math

import cv2
import numpy as np

from media.gs1 import looks_like_gs1, parse_gs1
from media.labels import LabelContent, render_label_png
from media.synthetic import empty_scene

DEFAULT_CODE = "stepwise:equipment:EQ-GRAN-01"
FRAME_SIZE = (960, 540)


class SyntheticCamera:
    """Frame `n` shows the label turned by up to 15 degrees and moved by up to 8 % of the
    frame, following smooth curves of `n`."""

    def __init__(
        self, code: str = DEFAULT_CODE, size: tuple[int, int] = FRAME_SIZE, fps: float = 15.0
    ) -> None:
        self.fps = fps
        self.code = code
        self._size = size
        self._background = empty_scene(seed=7, size=size)
        self._label = _label_image(code, width=round(size[0] * 0.7))
        self._count = 0

    def read(self) -> np.ndarray:
        frame = self.frame(self._count)
        self._count += 1
        return frame

    def frame(self, number: int) -> np.ndarray:
        """Frame `number` of the scene."""
        width, height = self._size
        label_h, label_w = self._label.shape[:2]
        angle = 15.0 * math.sin(number / 45.0)
        centre = (
            width / 2 + 0.08 * width * math.sin(number / 60.0),
            height / 2 + 0.08 * height * math.cos(number / 70.0),
        )
        matrix = cv2.getRotationMatrix2D((label_w / 2, label_h / 2), angle, 1.0)
        matrix[:, 2] += (centre[0] - label_w / 2, centre[1] - label_h / 2)
        warped = cv2.warpAffine(self._label, matrix, (width, height), flags=cv2.INTER_LINEAR)
        mask = cv2.warpAffine(np.ones(self._label.shape[:2], np.float32), matrix, (width, height))[
            ..., None
        ]
        blended = self._background * (1 - mask) + warped * mask
        return blended.astype(np.uint8)

    def close(self) -> None:
        """Nothing to release."""


def _label_image(code: str, width: int) -> np.ndarray:
    """The printed label carrying `code`, as a BGR image `width` pixels wide."""
    gs1 = parse_gs1(code) if looks_like_gs1(code) else None
    content = LabelContent(
        title="Synthetic camera",
        lines=(("Code", code),),
        qr_text=code,
        gs1=gs1,
    )
    png = np.frombuffer(render_label_png(content), np.uint8)
    label = cv2.cvtColor(cv2.imdecode(png, cv2.IMREAD_GRAYSCALE), cv2.COLOR_GRAY2BGR)
    scale = width / label.shape[1]
    return cv2.resize(label, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)

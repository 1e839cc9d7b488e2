"""What every camera source offers: BGR frames on demand, at a nominal rate."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class FrameSource(Protocol):
    """A camera. `read` blocks until the next frame (run it in a thread); `close` is safe twice."""

    fps: float

    def read(self) -> np.ndarray:
        """The next BGR frame; CameraUnavailable when there is none."""
        ...

    def close(self) -> None: ...

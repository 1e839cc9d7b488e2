"""What the annotation tests draw."""

from __future__ import annotations

from typing import Any


def arrow(batch_id: str, **changes: Any) -> dict[str, Any]:
    """An arrow drawn on the batch's main stream, pointing at the middle of the frame."""
    return {
        "stream_id": batch_id,
        "shape": "arrow",
        "points": [[0.2, 0.3], [0.5, 0.5]],
        "color": "#FF3B30",
        "frame_timestamp": 12.5,
        **changes,
    }

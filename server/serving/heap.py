"""The heap settled once a server has started.

What start-up builds (modules of aiortc, OpenCV, SQLAlchemy and pydantic, compiled
statements, the application: about 300,000 objects) lives as long as the process. Left in
the garbage collector's oldest generation, every full collection walks all of it: 150-190 ms
during which no request moves (the single outliers in bench/lists.py's p99s). Frozen after
one collection (`gc.freeze`), a full collection walks only what requests created since: a
few milliseconds.
"""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Collect what start-up left as garbage, then exempt the rest from later collections."""
    gc.collect()
    gc.freeze()

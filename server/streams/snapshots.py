"""Snapshots: the current frame of a live stream, stored as photo evidence of the batch's
active step.

The frame is decoded on demand (the stream's decoder starts if it is idle and stops again
once nothing else needs it), encoded losslessly as PNG off the event loop, stored once by
its content address and attached to the batch with the stream it came from.
"""

from __future__ import annotations

import asyncio

import cv2
import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from media.exceptions import MediaError
from media.streams.exceptions import StreamEnded
from server.audit.service import Actor
from server.batches import remarks
from server.concurrency import run_blocking
from server.media_store import service as media_store
from server.media_store.files import MediaFiles
from server.media_store.models import AttachmentEntry
from server.streams.analysis import StreamAnalysis
from server.streams.exceptions import NoFrame, StreamNotLive
from server.streams.live import LiveStream

CONTENT_TYPE = "image/png"
WAIT_SECONDS = 5.0  # for the next decoded frame: a keyframe, after a request, then decoding


def encode_png(image: np.ndarray) -> bytes:
    """A BGR frame as PNG bytes (blocking)."""
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise MediaError("PNG encoding failed")
    return encoded.tobytes()


async def capture(analysis: StreamAnalysis, seconds: float = WAIT_SECONDS) -> bytes:
    """The stream's next decoded frame as PNG; NoFrame when none comes within `seconds`."""
    stream_id = analysis.stream.stream_id
    try:
        async with asyncio.timeout(seconds):
            frame = await analysis.decoder.next_frame()
    except TimeoutError as exc:
        raise NoFrame(stream_id, seconds) from exc
    except StreamEnded as exc:
        raise StreamNotLive(stream_id) from exc
    return await run_blocking(encode_png, frame.image)


async def store(
    session: AsyncSession,
    files: MediaFiles,
    actor: Actor,
    stream: LiveStream,
    png: bytes,
    caption: str | None,
) -> AttachmentEntry:
    """Store a captured frame and attach it to the stream's batch (its active step); audited,
    announced as an `attachment` event of kind snapshot. The batch must still be open."""
    await remarks.open_batch(session, stream.batch_id)
    media = await media_store.save_media(session, files, actor, png, CONTENT_TYPE)
    return await media_store.attach(
        session,
        actor,
        batch_id=stream.batch_id,
        media_id=media.id,
        kind="snapshot",
        stream_id=str(stream.stream_id),
        caption=caption,
    )

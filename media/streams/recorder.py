"""Recording a relayed video track into a file: the publisher's encoded frames muxed by PyAV
into WebM (VP8) or MP4 (H.264) as they arrive, never re-encoded.

The recorder reads the relay like a viewer (a bounded queue that starts at a keyframe, so the
file does too). Container headers need the picture size, which only the bitstream knows: the
first keyframe is decoded once to learn it. The file is written from one worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import av

from media.streams.codecs import H264, VP8
from media.streams.exceptions import RecordingFailed, StreamEnded
from media.streams.frames import EncodedFrame
from media.streams.relay import Relay
from media.streams.webrtc import VIDEO_TIME_BASE


@dataclass(frozen=True)
class _Format:
    container: str
    codec: str
    content_type: str
    suffix: str


_FORMATS = {
    VP8: _Format("webm", "vp8", "video/webm", ".webm"),
    H264: _Format("mp4", "h264", "video/mp4", ".mp4"),
}


def recording_suffix(codec: str | None) -> str | None:
    """The file suffix a recording of this codec gets; None when it cannot be recorded."""
    found = _FORMATS.get(codec or "")
    return found.suffix if found else None


@dataclass(frozen=True)
class Recorded:
    """A finished recording file."""

    path: Path
    content_type: str
    frames: int
    width: int
    height: int


def _picture_size(codec: str, keyframe: bytes) -> tuple[int, int]:
    decoder = av.CodecContext.create(codec, "r")
    pictures = [*decoder.decode(av.Packet(keyframe)), *decoder.decode(None)]
    if not pictures:
        raise RecordingFailed("the first keyframe does not decode")
    return pictures[0].width, pictures[0].height


class _Muxer:
    """One container file, written frame by frame from a single worker thread."""

    def __init__(self, path: Path, file_format: _Format) -> None:
        self.path = path
        self._format = file_format
        self._container: av.container.OutputContainer | None = None
        self._stream: av.VideoStream | None = None
        self._origin = 0
        self._size = (0, 0)
        self.frames = 0

    def write(self, frame: EncodedFrame) -> None:
        if self._container is None:
            self._open(frame)
        assert self._container is not None
        packet = av.Packet(frame.data)
        packet.pts = packet.dts = frame.timestamp - self._origin
        packet.time_base = VIDEO_TIME_BASE
        packet.stream = self._stream
        packet.is_keyframe = frame.keyframe
        self._container.mux(packet)
        self.frames += 1

    def _open(self, first: EncodedFrame) -> None:
        # The recorder's queue starts at a keyframe: the first frame always is one.
        self._size = _picture_size(self._format.codec, first.data)
        self._origin = first.timestamp
        self.path.parent.mkdir(parents=True, exist_ok=True)
        container = av.open(str(self.path), "w", format=self._format.container)
        stream = container.add_stream(self._format.codec)
        stream.width, stream.height = self._size
        stream.time_base = VIDEO_TIME_BASE
        self._container, self._stream = container, stream

    def close(self) -> Recorded | None:
        """Finish the file; None (and no file) when no frame was written."""
        if self._container is None:
            return None
        self._container.close()
        width, height = self._size
        return Recorded(self.path, self._format.content_type, self.frames, width, height)

    def discard(self) -> None:
        if self._container is not None:
            with contextlib.suppress(av.FFmpegError):
                self._container.close()
        self.path.unlink(missing_ok=True)


class Recorder:
    """Records a relay's video into `path` (its suffix is replaced by the container's) from
    the next keyframe until `stop`."""

    def __init__(self, relay: Relay, path: Path) -> None:
        file_format = _FORMATS.get(relay.codec or "")
        if file_format is None:
            raise RecordingFailed("the stream carries no VP8 or H.264 video")
        self.relay = relay
        self._muxer = _Muxer(path.with_suffix(file_format.suffix), file_format)
        self._frames = relay.add_viewer()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recorder")
        self._task = asyncio.ensure_future(self._record())
        self._result: asyncio.Future[Recorded | None] | None = None

    @property
    def frames(self) -> int:
        """Frames written so far."""
        return self._muxer.frames

    async def _record(self) -> None:
        loop = asyncio.get_running_loop()
        with contextlib.suppress(StreamEnded):
            while True:
                frame = await self._frames.get()
                await loop.run_in_executor(self._worker, self._muxer.write, frame)

    async def stop(self) -> Recorded | None:
        """Write what is queued, finish the file and say what it holds; None when no frame
        arrived. RecordingFailed when the file could not be written. Safe to call twice."""
        if self._result is None:
            self._result = asyncio.ensure_future(self._finish())
        return await asyncio.shield(self._result)

    async def _finish(self) -> Recorded | None:
        self.relay.remove_viewer(self._frames)
        loop = asyncio.get_running_loop()
        try:
            await self._task
            return await loop.run_in_executor(self._worker, self._muxer.close)
        except (av.FFmpegError, OSError, RecordingFailed) as exc:
            await loop.run_in_executor(self._worker, self._muxer.discard)
            if isinstance(exc, RecordingFailed):
                raise
            raise RecordingFailed(f"the recording could not be written: {exc}") from exc
        finally:
            self._worker.shutdown(wait=False)

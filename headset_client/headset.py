"""The whole device: a signed-in session, and optionally a camera that is published by WHIP
and shows the annotations it receives drawn over its picture (without a camera, annotations
are only announced)."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import aiohttp

from headset_client.session import HeadsetSession, SessionOptions

if TYPE_CHECKING:
    from headset_client.camera.live import LiveCamera
    from headset_client.display import OverlayDisplay
    from headset_client.whip import WhipPublisher

WINDOW_FPS = 15.0


@dataclass(frozen=True)
class HeadsetOptions:
    """The camera (`--camera` spec, or None), whether to publish it, where overlays go."""

    camera: str | None = None
    publish: bool = False
    overlay_dir: Path | None = None


class Headset:
    """Opens everything on entry and closes it, in reverse, on exit."""

    def __init__(
        self, options: SessionOptions, device: HeadsetOptions, http: aiohttp.ClientSession
    ) -> None:
        self.session = HeadsetSession(options, http)
        self.camera: LiveCamera | None = None
        self._device = device
        self._display: OverlayDisplay | None = None
        self._publisher: WhipPublisher | None = None
        self._window_task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Headset:
        if self._device.camera:
            # Imported only with a camera: OpenCV and aiortc take a while to load.
            from headset_client.camera import open_camera
            from headset_client.camera.live import LiveCamera
            from headset_client.display import OverlayDisplay

            self.camera = LiveCamera(open_camera(self._device.camera))
            if self._device.overlay_dir is not None:
                self._display = OverlayDisplay(self._device.overlay_dir)
                self.session.on_annotation = self._draw
        try:
            await self.session.open()
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._window_task is not None:
            self._window_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._window_task
        if self._publisher is not None:
            await self._publisher.stop()
        await self.session.close()
        if self.camera is not None:
            self.camera.close()
        if self._display is not None:
            self._display.close()

    async def batch_chosen(self) -> None:
        """Once there is a batch: publish the camera to its stream, if asked to."""
        batch = self.session.batch
        if batch is None or self.camera is None or not self._device.publish:
            return
        if self._publisher is not None:
            return
        from headset_client.whip import WhipPublisher

        self._publisher = WhipPublisher(self.session.api, batch.batch_id, self.camera)
        await self._publisher.start()
        await self.session.notices.put(f"camera published to stream {batch.batch_id}")
        if self._display is not None and self._display.windowed:
            self._window_task = asyncio.create_task(self._window())

    async def _draw(self) -> None:
        """Draw the annotations over the picture in view (a window, or a file and a log line)."""
        assert self._display is not None and self.camera is not None
        frame = await self.camera.snapshot()
        written = await asyncio.to_thread(self._display.show, frame, self.session.board.shown())
        if written is not None:
            await self.session.notices.put(f"overlay drawn into {written}")

    async def _window(self) -> None:
        """Keep the window showing the live picture with its annotations."""
        assert self._display is not None and self.camera is not None
        while True:
            if self.camera.latest is not None:
                shown = self.session.board.shown()
                await asyncio.to_thread(self._display.show, self.camera.latest, shown)
            await asyncio.sleep(1 / WINDOW_FPS)

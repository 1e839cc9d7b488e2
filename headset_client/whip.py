"""Publishing the camera to the batch's stream by WHIP (RFC 9725), VP8, with aiortc."""

from __future__ import annotations

import contextlib

import av
from aiortc import (
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpSender,
    RTCSessionDescription,
    VideoStreamTrack,
)

from headset_client.api import StepwiseApi
from headset_client.camera.live import LiveCamera
from headset_client.exceptions import ServerRefused, ServerUnreachable
from headset_client.outbox import Request

SDP = "application/sdp"


class CameraTrack(VideoStreamTrack):
    """The camera's frames as a WebRTC video track (aiortc paces it at 30 frames a second)."""

    def __init__(self, camera: LiveCamera) -> None:
        super().__init__()
        self._camera = camera

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame.from_ndarray(await self._camera.next_frame(), format="bgr24")
        frame.pts, frame.time_base = pts, time_base
        return frame


class WhipPublisher:
    """One WHIP session: `start` offers and applies the answer, `stop` ends it (twice is safe)."""

    def __init__(self, api: StepwiseApi, stream_id: str, camera: LiveCamera) -> None:
        self._api = api
        self._stream_id = stream_id
        self._camera = camera
        self._pc: RTCPeerConnection | None = None
        self.location: str | None = None

    async def start(self) -> None:
        """Publish; ServerRefused or ServerUnreachable if the server does not take it."""
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self._pc = pc
        transceiver = pc.addTransceiver(CameraTrack(self._camera), direction="sendonly")
        vp8 = [
            codec
            for codec in RTCRtpSender.getCapabilities("video").codecs
            if codec.mimeType == "video/VP8"
        ]
        transceiver.setCodecPreferences(vp8)
        # aiortc gathers every candidate in setLocalDescription: WHIP without trickle ICE.
        await pc.setLocalDescription(await pc.createOffer())
        offer = Request(
            "POST", f"/streams/{self._stream_id}/whip", pc.localDescription.sdp.encode(), SDP
        )
        try:
            answer = await self._api.send(offer)
        except (ServerRefused, ServerUnreachable):
            await self.stop()
            raise
        self.location = self._api.path_of(answer.headers["Location"])
        await pc.setRemoteDescription(RTCSessionDescription(answer.raw.decode(), "answer"))
        self._camera.streaming = True

    async def stop(self) -> None:
        """End the session on the server, then close the connection."""
        self._camera.streaming = False
        location, self.location = self.location, None
        if location is not None:
            # If the server cannot be told, it ends the session once the peer is gone.
            with contextlib.suppress(ServerRefused, ServerUnreachable):
                await self._api.send(Request("DELETE", location, b"", SDP))
        if self._pc is not None:
            await self._pc.close()
            self._pc = None

"""Camera sources by name: `webcam[:INDEX]`, `video:PATH`, `folder:PATH`, `synthetic[:TEXT]`."""

from __future__ import annotations

from pathlib import Path

from headset_client.camera.source import FrameSource
from headset_client.exceptions import CameraUnavailable


def open_camera(spec: str) -> FrameSource:
    """The camera source a `--camera` argument names."""
    kind, _, argument = spec.partition(":")
    # Each source is imported on use: OpenCV and the label renderer take a while to load,
    # and most unattended runs have no camera.
    if kind == "webcam":
        from headset_client.camera.webcam import Webcam

        if argument and not argument.isdigit():
            raise CameraUnavailable(f"webcam index must be a number: {spec!r}")
        return Webcam(int(argument or 0))
    if kind in ("video", "folder") and not argument:
        raise CameraUnavailable(f"{kind} needs a path: '{kind}:PATH'")
    if kind == "video":
        from headset_client.camera.video_file import VideoFile

        return VideoFile(Path(argument))
    if kind == "folder":
        from headset_client.camera.image_folder import ImageFolder

        return ImageFolder(Path(argument))
    if kind == "synthetic":
        from headset_client.camera.synthetic import DEFAULT_CODE, SyntheticCamera

        return SyntheticCamera(argument or DEFAULT_CODE)
    raise CameraUnavailable(
        f"unknown camera {spec!r}: use webcam[:INDEX], video:PATH, folder:PATH or synthetic[:TEXT]"
    )

"""The files an author attached to a step (pictures, videos, PDF work instructions): listed
with the step, fetched on request into the headset's media folder to be opened there."""

from __future__ import annotations

import asyncio
from pathlib import Path

from headset_client.api import PREFIX, StepwiseApi
from headset_client.exceptions import EntryRefused
from procedures.model import Step, StepMedia

_KIND_WORDS = {"image": "picture", "video": "video", "pdf": "PDF"}
_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "video/mp4": ".mp4",
    "video/webm": ".webm",
    "application/pdf": ".pdf",
}


def media_path(item: StepMedia) -> str:
    """Where the server serves the file: `/api/v1/media/<sha256>`."""
    return f"{PREFIX}/media/{item.id}"


def media_lines(step: Step) -> list[str]:
    """`  media 1: Level bubble (picture) /api/v1/media/…`, one line per file, in order."""
    return [
        f"  media {number}: {item.caption or _KIND_WORDS[item.kind]} "
        f"({_KIND_WORDS[item.kind]}) {media_path(item)}"
        for number, item in enumerate(step.media, start=1)
    ]


async def fetch_media(api: StepwiseApi, step: Step, number: int, folder: Path) -> Path:
    """Download file `number` (from 1) of `step` into `folder`, named by its content address
    (a file fetched before is not fetched again: the same address, the same bytes)."""
    if not 1 <= number <= len(step.media):
        have = f"files 1 to {len(step.media)}" if step.media else "no files"
        raise EntryRefused(f"step {step.id!r} has {have}")
    item = step.media[number - 1]
    target = folder / f"{item.id}{_EXTENSIONS.get(item.content_type, '')}"
    if not target.exists():
        data = await api.download(f"/media/{item.id}")
        await asyncio.to_thread(_write, target, data)
    return target


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    partial.write_bytes(data)
    partial.replace(target)

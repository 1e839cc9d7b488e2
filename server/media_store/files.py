"""Media files on disk, named by the SHA-256 of their bytes."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

_MEDIA_ID = re.compile(r"[0-9a-f]{64}")


def media_id_of(data: bytes) -> str:
    """The content address of `data`: its SHA-256 in lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def is_media_id(text: str) -> bool:
    """Whether `text` has the shape of a content address."""
    return _MEDIA_ID.fullmatch(text) is not None


class MediaFiles:
    """A folder of immutable files: `ab/abcdef…` for the file whose SHA-256 is `abcdef…`.

    Writing is atomic (temporary file, fsync, rename) and idempotent: the same bytes are
    stored once, and a crash never leaves a partial file under a content address.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, media_id: str) -> Path:
        """Where the file with this content address lives (it may not exist)."""
        if not is_media_id(media_id):
            raise ValueError(f"not a media id: {media_id!r}")
        return self.root / media_id[:2] / media_id

    def put(self, data: bytes) -> str:
        """Store `data` (blocking) and return its content address."""
        media_id = media_id_of(data)
        target = self.path(media_id)
        if target.exists():
            return media_id
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return media_id

    def read(self, media_id: str) -> bytes:
        """The bytes of a stored file (blocking); FileNotFoundError when absent."""
        return self.path(media_id).read_bytes()

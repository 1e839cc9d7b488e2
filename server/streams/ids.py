"""Stream ids: which batch a live stream belongs to, and which of its streams it is."""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.streams.exceptions import StreamIdInvalid

_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
_BATCH_ID = re.compile(r"[A-Za-z0-9-]{1,36}")
PATTERN = rf"^{_BATCH_ID.pattern}(\.{_NAME.pattern})?$"  # the whole rule, for the API document


@dataclass(frozen=True)
class StreamId:
    """`{batch_id}` for a batch's main stream, `{batch_id}.{name}` for the others."""

    batch_id: str
    name: str | None

    @classmethod
    def parse(cls, text: str) -> StreamId:
        batch_id, dot, name = text.partition(".")
        if not _BATCH_ID.fullmatch(batch_id) or (dot and not _NAME.fullmatch(name)):
            raise StreamIdInvalid(text)
        return cls(batch_id, name if dot else None)

    def __str__(self) -> str:
        return self.batch_id if self.name is None else f"{self.batch_id}.{self.name}"

"""Media store failures.

StepwiseError
 ├── NotFound
 │    └── MediaNotFound         no stored file has this id
 └── Invalid
      ├── MediaRejected          empty, damaged, over the pixel budget, or not what it claims
      └── UnsupportedMediaType
           └── MediaTypeUnsupported   a content type the store does not take from uploads (415)
"""

from __future__ import annotations

from server.errors import Invalid, NotFound, Problem, UnsupportedMediaType


class MediaNotFound(NotFound):
    def __init__(self, media_id: str) -> None:
        super().__init__(f"No stored media has the id {media_id!r}.")


class MediaRejected(Invalid):
    def __init__(self, reason: str, *, code: str | None = None) -> None:
        super().__init__(
            f"The upload cannot be stored: {reason}.",
            problems=[Problem("body", reason, code=code)],
        )


class MediaTypeUnsupported(UnsupportedMediaType):
    def __init__(self, content_type: str, accepted: tuple[str, ...]) -> None:
        super().__init__(
            f"Media of type {content_type or 'unknown'!r} cannot be uploaded; "
            f"send one of {', '.join(accepted)}.",
            problems=[Problem("Content-Type", f"one of {', '.join(accepted)}")],
        )

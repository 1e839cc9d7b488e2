"""Scanning failures.

StepwiseError
 └── Invalid
      ├── ImageRejected      the upload is empty, too large, or not an image
      ├── CodeMalformed      a code's GS1 data is malformed (check digit, unknown AI, date)
      └── CodeUnknown        a scanned code identifies nothing Stepwise knows
"""

from __future__ import annotations

from server.errors import Invalid, Problem


class ImageRejected(Invalid):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The upload cannot be scanned: {reason}.",
            problems=[Problem("image", reason)],
        )


class CodeMalformed(Invalid):
    def __init__(self, field: str, text: str, reason: str) -> None:
        super().__init__(
            f"The code {text!r} is not valid GS1 data: {reason}.",
            problems=[Problem(field, reason, code="malformed_gs1")],
        )


class CodeUnknown(Invalid):
    def __init__(self, field: str, text: str) -> None:
        message = "this code identifies no equipment, lot or container known here"
        super().__init__(
            f"The code {text!r} is unknown: {message}.",
            problems=[Problem(field, message, code="unknown_code")],
        )

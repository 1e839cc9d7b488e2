"""Scanning failures.

StepwiseError
 └── Invalid
      ├── ImageRejected      the upload is empty, too large, or not an image
      ├── CodeMalformed      a code's GS1 data is malformed (check digit, unknown AI, date)
      └── CodeUnknown        a scanned code identifies nothing Stepwise knows
"""

from __future__ import annotations

from server.errors import Invalid


class ImageRejected(Invalid):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"The upload cannot be scanned: {reason}.",
            errors=[{"field": "image", "message": reason}],
        )


class CodeMalformed(Invalid):
    def __init__(self, field: str, text: str, reason: str) -> None:
        super().__init__(
            f"The code {text!r} is not valid GS1 data: {reason}.",
            errors=[{"field": field, "code": "malformed_gs1", "message": reason}],
        )


class CodeUnknown(Invalid):
    def __init__(self, field: str, text: str) -> None:
        message = "this code identifies no equipment, lot or container known here"
        super().__init__(
            f"The code {text!r} is unknown: {message}.",
            errors=[{"field": field, "code": "unknown_code", "message": message}],
        )

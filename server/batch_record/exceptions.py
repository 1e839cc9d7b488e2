"""Errors of the batch record export.

StepwiseError
 └── NotFound
      └── BatchNumberUnknown     no batch has the number (or id) asked for
"""

from __future__ import annotations

from server.errors import NotFound


class BatchNumberUnknown(NotFound):
    def __init__(self, batch_number: str) -> None:
        super().__init__(f"There is no batch {batch_number!r}.")
        self.batch_number = batch_number

"""Material, lot and container failures.

StepwiseError
 ├── NotFound
 │    ├── MaterialNotFound        no material with that id or code
 │    ├── LotNotFound             no lot with that id or number
 │    └── ContainerNotFound       no container with that id or number
 ├── Conflict
 │    ├── MaterialCodeTaken       code or GTIN already in the material master
 │    ├── LotStatusUnchanged      the lot already has that status
 │    └── NumberUnavailable       no free lot or container number (try again)
 └── Invalid
      └── MaterialRefused         a scanned lot or container may not be used here (and why)
"""

from __future__ import annotations

from server.errors import Conflict, Invalid, NotFound, Problem


class MaterialNotFound(NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(f"There is no material {reference!r}.")


class LotNotFound(NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(f"There is no lot {reference!r}.")


class ContainerNotFound(NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(f"There is no container {reference!r}.")


class MaterialCodeTaken(Conflict):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} is already in the material master.")


class LotStatusUnchanged(Conflict):
    def __init__(self, lot_number: str, status: str) -> None:
        super().__init__(f"Lot {lot_number} is already {status}.")


class NumberUnavailable(Conflict):
    def __init__(self, material: str) -> None:
        super().__init__(
            f"No free number was found for a new lot or container of {material}; try again."
        )


class MaterialRefused(Invalid):
    """A lot that cannot be used for input `field`: `code` says why, `message` in words.

    `overridable` refusals may be overridden by a supervisor's e-signature, which opens a
    deviation; the others (wrong material, rejected, not enough left) never can.
    """

    def __init__(self, field: str, what: str, code: str, message: str, overridable: bool) -> None:
        hint = " A supervisor may override with an e-signature." if overridable else ""
        super().__init__(
            f"{what} cannot be used: {message}.{hint}",
            problems=[
                Problem(f"values.{field}", message, code=code, details={"overridable": overridable})
            ],
        )
        self.field = field
        self.code = code
        self.message = message
        self.overridable = overridable

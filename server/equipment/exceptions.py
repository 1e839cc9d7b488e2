"""Equipment failures.

StepwiseError
 ├── NotFound
 │    └── EquipmentNotFound       no equipment with that id or code
 ├── Conflict
 │    ├── EquipmentCodeTaken      another piece of equipment carries that code
 │    └── BalanceNotReady         the balance gave no usable reading
 └── Invalid
      ├── EquipmentRefused        a scan found equipment that may not be used here (and why)
      ├── StatusChangeRefused     a status change the equipment's state does not allow
      └── AddressNotAllowed       a balance address outside STEPWISE_BALANCE_NETWORKS
"""

from __future__ import annotations

from server.errors import Conflict, Invalid, NotFound, Problem


class EquipmentNotFound(NotFound):
    def __init__(self, reference: str) -> None:
        super().__init__(f"There is no equipment {reference!r}.")


class EquipmentCodeTaken(Conflict):
    def __init__(self, code: str) -> None:
        super().__init__(f"Equipment code {code!r} is already registered.")


class EquipmentRefused(Invalid):
    """Equipment that cannot be used in this step: `code` says why, `message` in words."""

    def __init__(self, field: str, equipment: str, code: str, message: str) -> None:
        super().__init__(
            f"{equipment} cannot be used: {message}.",
            problems=[Problem(f"values.{field}", message, code=code)],
        )
        self.code = code


class StatusChangeRefused(Invalid):
    def __init__(self, equipment: str, message: str) -> None:
        super().__init__(f"{equipment}: {message}.")


class BalanceNotReady(Conflict):
    """The balance gave no usable reading (unreachable, unstable, overloaded, no address)."""

    def __init__(self, equipment: str, message: str) -> None:
        super().__init__(
            f"{equipment} gave no weight: {message}. Check the balance, or enter the weight "
            "manually (it is then marked as manual in the record)."
        )


class AddressNotAllowed(Invalid):
    """A balance registered at an address the server may not dial."""

    def __init__(self, address: str) -> None:
        super().__init__(
            f"{address} is not on a network balances may be on; an administrator sets "
            "STEPWISE_BALANCE_NETWORKS.",
            problems=[Problem("address", "outside STEPWISE_BALANCE_NETWORKS", "not_allowed")],
        )

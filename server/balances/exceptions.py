"""Errors talking to a balance. Each names the balance and reads well to a supervisor.

BalanceError
├── BalanceUnreachable      no connection, the connection dropped, or no answer in time
├── BalanceNotStable        no stable weight (or tare, or zero) within the timeout
├── BalanceOverload         the load is above the balance's capacity (`S +`)
├── BalanceUnderload        the load is below the balance's zero point (`S -`)
├── BalanceCommandRefused   the balance answered a command with an error or "not executable"
├── BalanceProtocolError    the balance sent a reply that is not MT-SICS
└── BalanceAddressRefused   the address is outside the networks balances may be on

Messages never repeat what a device sent beyond MT-SICS's own status: an address that is not a
balance must not have its answers shown to whoever asked for a weight.
"""

from __future__ import annotations


class BalanceError(Exception):
    """Base of every balance error; `address` is the balance's `host:port`."""

    def __init__(self, address: str, message: str) -> None:
        super().__init__(message)
        self.address = address


class BalanceUnreachable(BalanceError):
    """The balance cannot be reached, hung up, or did not answer in time."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(address, f"balance {address} is unreachable: {reason}")
        self.reason = reason


class BalanceNotStable(BalanceError):
    """The weight did not settle within the timeout (a draught, vibration, a moving load)."""

    def __init__(self, address: str, timeout: float) -> None:
        super().__init__(address, f"balance {address} did not settle within {timeout:g} s")
        self.timeout = timeout


class BalanceOverload(BalanceError):
    """The load on the pan is above the balance's capacity."""

    def __init__(self, address: str) -> None:
        super().__init__(address, f"balance {address} is overloaded: remove load from the pan")


class BalanceUnderload(BalanceError):
    """The load is below the balance's zero point, as when the pan is lifted off."""

    def __init__(self, address: str) -> None:
        super().__init__(
            address, f"balance {address} is underloaded: check that the weighing pan is in place"
        )


class BalanceCommandRefused(BalanceError):
    """The balance refused `command`, answering `response`; `reason` says why in words."""

    def __init__(self, address: str, command: str, response: str, reason: str) -> None:
        super().__init__(address, f"balance {address} refused {command!r}: {reason}")
        self.command = command
        self.response = response
        self.reason = reason


class BalanceProtocolError(BalanceError):
    """The balance sent `response`, which is not a valid MT-SICS reply to `command`."""

    def __init__(self, address: str, command: str, response: str) -> None:
        super().__init__(
            address, f"balance {address} sent a reply to {command!r} that is not MT-SICS"
        )
        self.command = command
        self.response = response


class BalanceAddressRefused(BalanceError):
    """The address is outside STEPWISE_BALANCE_NETWORKS (or does not resolve): not dialled."""

    def __init__(self, address: str) -> None:
        super().__init__(
            address,
            f"{address} is not on a network balances may be on (STEPWISE_BALANCE_NETWORKS)",
        )

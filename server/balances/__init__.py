"""Balances for weigh & dispense: readings come from the balance over MT-SICS, not from typing."""

from server.balances.client import BalanceClient, read_stable_weight
from server.balances.exceptions import (
    BalanceCommandRefused,
    BalanceError,
    BalanceNotStable,
    BalanceOverload,
    BalanceProtocolError,
    BalanceUnderload,
    BalanceUnreachable,
)
from server.balances.mtsics import Reading

__all__ = [
    "BalanceClient",
    "BalanceCommandRefused",
    "BalanceError",
    "BalanceNotStable",
    "BalanceOverload",
    "BalanceProtocolError",
    "BalanceUnderload",
    "BalanceUnreachable",
    "Reading",
    "read_stable_weight",
]

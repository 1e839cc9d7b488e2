"""Readings from a registered balance over MT-SICS: the server asks, the balance answers.

Only addresses inside the allowed networks are dialled (server/balances/addresses.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from server.balances.addresses import checked_destination
from server.balances.client import BalanceClient
from server.balances.exceptions import BalanceError
from server.balances.mtsics import Reading
from server.equipment.exceptions import BalanceNotReady
from server.equipment.models import Equipment
from server.equipment.rules import describe
from server.networks import Network

Command = Callable[[BalanceClient], Awaitable[Reading]]


async def stable_net_weight(
    balance: Equipment, networks: tuple[Network, ...], *, wait: float = 5.0
) -> Reading:
    """The stable net weight on the pan (MT-SICS `S`)."""
    return await _ask(balance, networks, BalanceClient.stable_weight, wait)


async def current_weight(
    balance: Equipment, networks: tuple[Network, ...], *, wait: float = 2.0
) -> Reading:
    """What the balance shows now, stable or not (MT-SICS `SI`), for a live display."""
    return await _ask(balance, networks, BalanceClient.weight_now, wait)


async def tare(balance: Equipment, networks: tuple[Network, ...], *, wait: float = 5.0) -> Reading:
    """Tare the balance with what is on the pan (MT-SICS `T`); answers the tare weight."""
    return await _ask(balance, networks, BalanceClient.tare, wait)


async def _ask(
    balance: Equipment, networks: tuple[Network, ...], command: Command, wait: float
) -> Reading:
    if not balance.address:
        raise BalanceNotReady(describe(balance), "it has no MT-SICS address registered")
    try:
        host, port = await checked_destination(balance.address, networks)
        async with BalanceClient(host, port, timeout=wait) as client:
            return await command(client)
    except BalanceError as exc:
        raise BalanceNotReady(describe(balance), str(exc)) from exc

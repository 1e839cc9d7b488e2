"""Which network addresses the server may open an MT-SICS connection to.

A balance's address is typed in by a supervisor. Without a fence it is a way into the server's
own network: any host and port the server can reach would be dialled and its first line read.
So every connection goes only to an address inside the allow-list (`STEPWISE_BALANCE_NETWORKS`,
CIDRs; empty: no balances, outside the demo). A host name is resolved first and every address
it resolves to must be inside, and the connection then goes to the address that was checked.
"""

from __future__ import annotations

from server.balances.exceptions import BalanceAddressRefused
from server.networks import Network, allowed_addresses


def split_address(address: str) -> tuple[str, int]:
    """`host:port` as its parts (the registry accepts nothing else)."""
    host, _, port = address.rpartition(":")
    return host, int(port)


async def checked_destination(address: str, networks: tuple[Network, ...]) -> tuple[str, int]:
    """The IP and port to connect to for `address`, if every address its host resolves to is
    inside `networks`; BalanceAddressRefused otherwise (also when it does not resolve)."""
    host, port = split_address(address)
    resolved = await allowed_addresses(host, port, networks)
    if not resolved:
        raise BalanceAddressRefused(address)
    return resolved[0], port

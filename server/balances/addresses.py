"""Which network addresses the server may open an MT-SICS connection to.

A balance's address is typed in by a supervisor. Without a fence it is a way into the server's
own network: any host and port the server can reach would be dialled and its first line read.
So every connection goes only to an address inside the allow-list (`STEPWISE_BALANCE_NETWORKS`,
CIDRs; empty: no balances, outside the demo). A host name is resolved first and every address
it resolves to must be inside, and the connection then goes to the address that was checked.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from ipaddress import ip_address

from server.balances.exceptions import BalanceAddressRefused
from server.networks import Network


def split_address(address: str) -> tuple[str, int]:
    """`host:port` as its parts (the registry accepts nothing else)."""
    host, _, port = address.rpartition(":")
    return host, int(port)


def is_allowed(host: str, networks: Iterable[Network]) -> bool | None:
    """Whether an address literal is inside the allow-list; None for a host name."""
    try:
        address = ip_address(host)
    except ValueError:
        return None
    return any(address in network for network in networks)


async def checked_destination(address: str, networks: tuple[Network, ...]) -> tuple[str, int]:
    """The IP and port to connect to for `address`, if every address its host resolves to is
    inside `networks`; BalanceAddressRefused otherwise (also when it does not resolve)."""
    host, port = split_address(address)
    allowed = is_allowed(host, networks)
    if allowed is not None:
        if not allowed:
            raise BalanceAddressRefused(address)
        return host, port
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except OSError as exc:
        raise BalanceAddressRefused(address) from exc
    resolved = {str(info[4][0]) for info in found}
    if not resolved or not all(is_allowed(ip, networks) for ip in resolved):
        raise BalanceAddressRefused(address)
    return sorted(resolved)[0], port

"""Networks named in settings (CIDRs): where balances may be, which proxies are trusted."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

Network = IPv4Network | IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """`10.20.0.0/16, 192.168.7.12` as networks; ValueError naming a wrong entry."""
    networks = []
    for entry in (part.strip() for part in text.split(",")):
        if entry:
            try:
                networks.append(ip_network(entry, strict=False))
            except ValueError as exc:
                raise ValueError(f"{entry!r} is not a network (CIDR) or an address") from exc
    return tuple(networks)


def is_allowed(host: str, networks: Iterable[Network]) -> bool | None:
    """Whether an address literal is inside the allow-list; None for a host name."""
    try:
        address = ip_address(host)
    except ValueError:
        return None
    return any(address in network for network in networks)


async def allowed_addresses(host: str, port: int, networks: tuple[Network, ...]) -> list[str]:
    """The addresses to connect to for `host`, if every address it resolves to is inside
    `networks`; an empty list when one is not, or when it does not resolve."""
    allowed = is_allowed(host, networks)
    if allowed is not None:
        return [host] if allowed else []
    try:
        found = await asyncio.get_running_loop().getaddrinfo(
            host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
        )
    except OSError:
        return []
    resolved = sorted({str(info[4][0]) for info in found})
    return resolved if all(is_allowed(ip, networks) for ip in resolved) else []

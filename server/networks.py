"""Networks named in settings (CIDRs): where balances may be, which proxies are trusted."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network, ip_network

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

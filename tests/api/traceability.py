"""Helpers for traceability tests: lots, a balance served by the MT-SICS simulator."""

from __future__ import annotations

import socket
from typing import Any

from tests.api.fixtures import signature
from tests.client import ApiClient


async def received_lot(
    api: ApiClient, material: str = "EXC-0101", *, released: bool, quantity: str = "25"
) -> dict[str, Any]:
    """Receive a lot as `sam`; QA (`quinn`) releases it when asked."""
    lot = await api.post(
        "/lots",
        "sam",
        {
            "material": material,
            "supplier": "Avicel Supply",
            "supplier_lot": "AV-0001",
            "quantity": quantity,
            "expiry": "2030-06-30",
        },
    )
    assert lot.status == 201, lot.body
    if not released:
        return lot.body
    answer = await api.post(
        f"/lots/{lot.body['lot_number']}/status",
        "quinn",
        {
            "status": "released",
            "reason": "CoA reviewed",
            "signature": signature("quinn", "released"),
        },
    )
    assert answer.status == 200, answer.body
    return answer.body


async def clean_balance(api: ApiClient, code: str, address: str) -> dict[str, Any]:
    """Register a balance at an MT-SICS address (as `sam`) and record its cleaning."""
    registered = await api.post(
        "/equipment",
        "sam",
        {
            "code": code,
            "name": "Bench balance",
            "type": "balance",
            "location": "Booth T",
            "calibration_due": "2030-01-01",
            "address": address,
        },
    )
    assert registered.status == 201, registered.body
    cleaned = await api.post(f"/equipment/{code}/status", "olivia", cleaning("olivia"))
    assert cleaned.status == 200, cleaned.body
    return cleaned.body


def cleaning(signer: str, **more: Any) -> dict[str, Any]:
    """The body of a cleaning record, e-signed by `signer` (a demo user) as performed."""
    signed = signature(signer, "performed")
    return {"status": "clean", "reason": "cleaned", "signature": signed, **more}


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

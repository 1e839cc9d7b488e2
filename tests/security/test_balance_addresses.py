"""Finding 10: a balance address is no way into the server's network. Only addresses inside
STEPWISE_BALANCE_NETWORKS are registered or dialled, and an error never repeats what a device
that is not a balance answered."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from server.config import Settings, parse_networks
from tests.api.traceability import clean_balance
from tests.client import ApiClient

SECRET = b"SSH-2.0-OpenSSH_9.9 internal-secret-banner\r\n"


@pytest.fixture
async def other_service() -> AsyncIterator[int]:
    """A loopback service that is not a balance: it greets with a banner."""

    async def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(SECRET)
        await writer.drain()
        await reader.read(100)
        writer.close()

    server = await asyncio.start_server(greet, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        balance_networks=parse_networks("10.20.0.0/16"),
    )


async def test_an_address_outside_the_allowed_networks_is_not_registered(api: ApiClient) -> None:
    answer = await api.post(
        "/equipment",
        "sam",
        {
            "code": "EQ-PROBE",
            "name": "Not a balance",
            "type": "balance",
            "location": "Booth T",
            "address": "127.0.0.1:22",
        },
    )
    assert answer.status == 422, answer.body
    assert answer.body["errors"][0]["field"] == "address"
    listed = await api.get("/equipment", "sam")
    assert all(item["code"] != "EQ-PROBE" for item in listed.body)


async def test_a_host_name_is_dialled_only_if_it_resolves_inside(api: ApiClient) -> None:
    await clean_balance(api, "EQ-BY-NAME", "localhost:4305")
    answer = await api.get("/equipment/EQ-BY-NAME/weight", "olivia")
    assert answer.status == 409, answer.body
    assert "STEPWISE_BALANCE_NETWORKS" in answer.body["detail"]


async def test_a_device_that_is_not_a_balance_is_never_echoed(
    aiohttp_client, database_url: str, tmp_path: Path, other_service: int
) -> None:
    from server.app import create_app

    loopback = Settings(
        data_dir=tmp_path / "loopback",
        database_url=database_url,
        balance_networks=parse_networks("127.0.0.1"),
    )
    api = ApiClient(await aiohttp_client(create_app(loopback)))
    await clean_balance(api, "EQ-ODD", f"127.0.0.1:{other_service}")
    answer = await api.get("/equipment/EQ-ODD/weight", "olivia")
    assert answer.status == 409, answer.body
    assert "OpenSSH" not in str(answer.body) and "secret" not in str(answer.body)

"""Findings 1, 7 and 9: a client that sends a body slowly, or goes away half-way, holds
nothing: it is cut off after the read timeout, its request changes nothing, and the rest of the
server goes on meanwhile."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient

from server.app import create_app
from server.config import Settings
from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY

HEADERS = "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {kind}\r\nContent-Length: {length}\r\n"


async def _stalled(
    client: TestClient, path: str, kind: str, token: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Open a request that announces 100 kB, sends 4 bytes and stalls."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    head = HEADERS.format(path=path, kind=kind, length=100_000)
    writer.write(f"{head}Authorization: Bearer {token}\r\n\r\n".encode() + b"\x89PNG")
    await writer.drain()
    return reader, writer


@pytest.fixture
def settings(database_url: str, tmp_path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, body_read_seconds=5)


@pytest.fixture
async def raw_client(aiohttp_client, settings: Settings) -> TestClient:
    return await aiohttp_client(create_app(settings))


async def test_a_stalled_upload_is_cut_off_and_blocks_no_write(raw_client: TestClient) -> None:
    api = ApiClient(raw_client)
    token = await api.token("olivia")
    stalled = [
        await _stalled(raw_client, "/api/v1/media", "image/png", token),
        await _stalled(raw_client, "/api/v1/scans", "multipart/form-data; boundary=x", token),
    ]
    answers = [asyncio.create_task(reader.readline()) for reader, _ in stalled]
    signed_in = await api.call(
        "POST", "/auth/login", None, json={"username": "sam", "password": "sam-demo"}
    )
    assert signed_in.status == 200, signed_in.body
    created = await api.post(
        "/batches", "sam", {"procedure": "stw101-granulation", "batch_number": "B-WHILE-STALLED"}
    )
    assert created.status == 201, created.body
    # Written while both uploads still stall: neither has been cut off and answered yet.
    assert not any(answer.done() for answer in answers), "a write waited on a stalled upload"
    for answer, (_, writer) in zip(answers, stalled, strict=True):
        status_line = await asyncio.wait_for(answer, timeout=20)
        writer.close()
        assert b" 400 " in status_line or b" 408 " in status_line or b" 422 " in status_line
    media = await api.get("/batches/" + created.body["id"] + "/attachments", "olivia")
    assert media.body == []


async def test_a_stranger_is_refused_before_the_body_is_read(raw_client: TestClient) -> None:
    reader, writer = await asyncio.open_connection(raw_client.host, raw_client.port)
    head = HEADERS.format(path="/api/v1/batches", kind="application/json", length=19 * 2**20)
    writer.write(f"{head}\r\n".encode() + b'{"procedure": ')
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=5)
    writer.close()
    assert b" 401 " in status_line, status_line


async def test_a_body_over_the_limit_is_refused_from_its_declared_length(
    raw_client: TestClient,
) -> None:
    token = await ApiClient(raw_client).token("sam")
    reader, writer = await asyncio.open_connection(raw_client.host, raw_client.port)
    head = HEADERS.format(path="/api/v1/batches", kind="application/json", length=19 * 2**20)
    writer.write(f"{head}Authorization: Bearer {token}\r\n\r\n".encode() + b'{"procedure": ')
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=5)
    writer.close()
    assert b" 413 " in status_line, status_line

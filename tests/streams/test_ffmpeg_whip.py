"""A standard WHIP client publishes: FFmpeg's own WHIP muxer (the one `ffmpeg -f whip` uses,
here through PyAV's FFmpeg), H.264, with a bearer token; an aiortc viewer watches by WHEP.

FFmpeg's DTLS certificate must be ECDSA P-256, as RFC 8827 asks of WebRTC peers: the server's
DTLS (aiortc) accepts only ECDHE-ECDSA suites, and FFmpeg built on GnuTLS makes an RSA
certificate unless it is given one (the README's ffmpeg command does the same).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from server.streams.live import LiveStreams
from tests.client import ApiClient
from tests.streams.ffmpeg_whip_publisher import HEIGHT, WIDTH
from tests.streams.sessions import watch

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _p256_certificate(folder: Path) -> dict[str, str]:
    """A self-signed ECDSA P-256 certificate and key for FFmpeg's DTLS, as muxer options."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ffmpeg-whip")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (folder / "whip.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (folder / "whip.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return {"cert_file": str(folder / "whip.crt"), "key_file": str(folder / "whip.key")}


def _frames_in(live: LiveStreams, stream_id: str) -> int:
    return next((s.relay.frames_in for s in live if str(s.stream_id) == stream_id), 0)


async def test_ffmpeg_whip_muxer_publishes_and_a_viewer_receives_its_frames(
    api: ApiClient, live: LiveStreams, batch: dict[str, Any], tmp_path: Path
) -> None:
    url = str(api.client.make_url(f"/api/v1/streams/{batch['id']}/whip"))
    options = {
        "authorization": await api.token("olivia"),
        "handshake_timeout": "10000",
        **_p256_certificate(tmp_path),
    }
    publisher = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.streams.ffmpeg_whip_publisher",
        url,
        json.dumps(options),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(20):
            while not _frames_in(live, batch["id"]):
                assert publisher.returncode is None, "FFmpeg's WHIP muxer gave up"
                await asyncio.sleep(0.1)
        viewer = await watch(api, batch["id"])
        try:
            await viewer.watcher.wait_for_frames(10, seconds=20)
            frame = viewer.watcher.frames[-1]
        finally:
            await viewer.watcher.close()
        listed = (await api.get("/streams", "quinn")).body
    finally:
        if publisher.returncode is None:
            publisher.terminate()
        output, _ = await publisher.communicate()
    assert (frame.width, frame.height) == (WIDTH, HEIGHT)
    assert [(s["stream_id"], s["publisher"]) for s in listed] == [(batch["id"], "olivia")]
    assert publisher.returncode == 0, output
    assert output.decode().startswith("publishing\nsent ")
    # The muxer ended the session with DELETE before it exited.
    assert (await api.get("/streams", "quinn")).body == []

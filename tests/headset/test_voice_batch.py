"""`stepwise-headset --voice-file`: a whole headset-line batch spoken (espeak-ng, sox) into one
recording, every value read back and confirmed, a wrong one cancelled, passwords typed."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from tests.client import PASSWORDS
from tests.headset.spoken import recording
from tests.headset.support import assert_recorded_once, fetch, prepare
from tests.system.server_process import ServerProcess

HEADSET = Path(sys.executable).parent / "stepwise-headset"
CONFIRMED = "confirm"  # what the operator answers to a read-back

# What the operator says, step by step: each command, then "confirm" to its read-back.
SPOKEN = (
    "check all", CONFIRMED, "confirm", CONFIRMED,
    "value net weight nine point eight", "cancel",  # said wrong: cancelled, never recorded
    "value net weight ten point two", CONFIRMED,
    "value conforms", CONFIRMED, "confirm", CONFIRMED,
    "value mixing time five", CONFIRMED, "confirm", CONFIRMED,
    "photo", CONFIRMED, "confirm", CONFIRMED,
    "value output ten", CONFIRMED, "confirm", CONFIRMED,
    "verify", CONFIRMED,
    "sign", CONFIRMED,
)  # fmt: skip
# Typed, never spoken: the headset's password, then the verifier and their password, then
# the operator's password for the signature.
TYPED = (PASSWORDS["olivia"], "sam", PASSWORDS["sam"], PASSWORDS["olivia"])

pytestmark = pytest.mark.timeout(600)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_spoken_batch_is_recorded_with_only_the_confirmed_values(
    database_url: str, tmp_path: Path
) -> None:
    wav = await asyncio.to_thread(recording, SPOKEN, tmp_path / "batch.wav")
    server = ServerProcess(database_url, tmp_path / "data", tmp_path / "server.log")
    await server.start()
    try:
        base = server.url
        ids = await prepare(base, "HL-VOICE-1")
        out, err, code = await _speak(base, wav, tmp_path)
        record = await fetch(base, f"/batches/{ids['HL-VOICE-1']}")
        await assert_recorded_once(base, ids["HL-VOICE-1"])
    finally:
        await server.stop()
    steps = {step["step_id"]: step for step in record["steps"]}

    assert (code, err) == (0, ""), out
    assert "~ cancelled: value net weight 9.8; nothing recorded" in out
    assert record["status"] == "completed", out
    assert steps["weigh"]["values"] == {"net_kg": 10.2, "appearance": "conforms"}
    assert 9.8 not in [entry["value"] for entry in steps["weigh"]["history"]]
    assert steps["mix"]["values"]["mix_min"] == 5
    assert [(s["username"], s["meaning"]) for s in steps["verify_weigh"]["signatures"]] == [
        ("sam", "verified")
    ]
    assert [(s["username"], s["meaning"]) for s in steps["sign_off"]["signatures"]] == [
        ("olivia", "performed")
    ]


async def _speak(base: str, wav: Path, tmp_path: Path) -> tuple[str, str, int | None]:
    """Run the headset on the recording, typing TYPED; its output, errors and exit code."""
    process = await asyncio.create_subprocess_exec(
        str(HEADSET),
        "--server",
        base,
        "--user",
        "olivia",
        "--password-stdin",
        "--outbox",
        str(tmp_path / "outbox.db"),
        "--camera",
        "synthetic",
        "--batch",
        "HL-VOICE-1",
        "--voice-file",
        str(wav),
        "--wait",
        "30",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ},
    )
    typed = "".join(f"{line}\n" for line in TYPED).encode()
    out, err = await asyncio.wait_for(process.communicate(typed), 400)
    return out.decode(), err.decode(), process.returncode

"""`stepwise-headset` unattended: the shipped sample script runs a whole batch; a bad line or a
refused value stops it with one line saying where and why."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

import headset_client
from headset_client.runner import ScriptFailed, parse_script
from tests.api.compression_sample import released_blend
from tests.client import PASSWORDS, ApiClient

SCRIPTS = Path(headset_client.__file__).parent / "scripts"
HEADSET = Path(sys.executable).parent / "stepwise-headset"


async def _headset(
    base: str, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        str(HEADSET),
        "--server",
        base,
        "--user",
        "olivia",
        "--password-stdin",
        "--outbox",
        str(tmp_path / "outbox.db"),
        "--wait",
        "30",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    out, err = await asyncio.wait_for(process.communicate(f"{PASSWORDS['olivia']}\n".encode()), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def _compression_batch(api: ApiClient) -> str:
    created = await api.post(
        "/batches",
        "sam",
        {
            "procedure": "stw101-compression",
            "batch_number": "STW101-C-0001",
            "parameters": {"batch_size_kg": 12},
        },
    )
    assert created.status == 201, created.body
    return created.body["id"]


async def test_a_refused_line_stops_the_script_and_the_sample_script_then_completes_the_batch(
    api: ApiClient, tmp_path: Path
) -> None:
    blend = await released_blend(api)  # the script scans ${BLEND_LOT}, as on its drum label
    batch_id = await _compression_batch(api)
    base = str(api.client.make_url("/"))
    refused = tmp_path / "refused.txt"
    refused.write_text("batch STW101-C-0001\n\nvalue 45\ncheck all\n")
    stopped = await _headset(base, tmp_path, "--script", str(refused))
    sample = SCRIPTS / "compression.txt"
    code, out, err = await _headset(
        base,
        tmp_path,
        "--batch",
        "STW101-C-0001",
        "--script",
        str(sample),
        env={"BLEND_LOT": blend},
    )
    record = await api.get(f"/batches/{batch_id}", "quinn")

    assert stopped[0] == 1
    assert stopped[2] == (
        f"stepwise-headset: {refused}:3: No tablets or records of the previous batch in the "
        "room: say yes or no\n"
    )
    assert (code, err) == (0, ""), out
    assert out.rstrip().endswith("everything is with the server")
    assert record.body["status"] == "completed"
    assert [d["field"] for d in record.body["deviations"]] == ["end_hardness_n"]
    assert {s["completed_by"]["username"] for s in record.body["steps"]} == {"olivia", "sam"}
    scanned = next(s for s in record.body["steps"] if s["step_id"] == "scan_press")
    assert scanned["values"]["blend_drum"] == blend


def test_a_script_variable_is_filled_from_the_environment_and_an_unset_one_names_its_line() -> None:
    lines = parse_script(
        "run.txt",
        "# drum\nscan blend_drum stepwise:lot:${BLEND_LOT}\n",
        {"BLEND_LOT": "STW101FB-261206-001"},
    )
    assert [line.text for line in lines] == ["scan blend_drum stepwise:lot:STW101FB-261206-001"]
    with pytest.raises(ScriptFailed) as refused:
        parse_script("run.txt", "check all\nscan blend_drum stepwise:lot:${BLEND_LOT}\n", {})
    assert str(refused.value) == (
        "run.txt:2: ${BLEND_LOT} is not set: export BLEND_LOT=... before the script runs"
    )


async def test_a_bad_script_line_stops_before_anything_is_done(tmp_path: Path) -> None:
    script = tmp_path / "bad.txt"
    script.write_text("# start\ncheck all\njump to the end\nsign\n")
    # Nothing listens on port 9: any attempt to connect would fail differently.
    code, out, err = await _headset("http://127.0.0.1:9", tmp_path, "--script", str(script))
    assert code == 1
    assert (
        err
        == f"stepwise-headset: {script}:3: unknown command 'jump' (say 'help'): 'jump to the end'\n"
    )
    assert out == ""
    assert not (tmp_path / "outbox.db").exists()

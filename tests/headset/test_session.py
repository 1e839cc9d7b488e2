"""A headset works a whole batch against the real server (in-process, both databases)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from headset_client.exceptions import EntryRefused
from tests.client import PASSWORDS, ApiClient
from tests.headset.support import (
    ALL_LINES,
    assert_recorded_once,
    fetch,
    headset,
    lines_of,
    prepare,
    say,
)


def base_of(api: ApiClient) -> str:
    return str(api.client.make_url("/api/v1"))


async def test_a_headset_runs_a_whole_batch_by_voice(api: ApiClient, tmp_path: Path) -> None:
    base = base_of(api)
    ids = await prepare(base, "H-1")
    async with headset(base, tmp_path / "outbox.db") as operator:
        shown = await say(operator, "batch H-1")
        assert "Line clearance (ACTIVE)" in shown[0]
        answered = await say(operator, *ALL_LINES[:-2])
        with pytest.raises(EntryRefused) as self_verified:
            await say(operator, f"verify olivia {PASSWORDS['olivia']}")
        answered += await say(operator, *ALL_LINES[-2:], "sync")
        counts = await operator.session.counts()

    record = await fetch(base, f"/batches/{ids['H-1']}")
    steps = {step["step_id"]: step for step in record["steps"]}
    assert record["status"] == "completed"
    assert steps["rework"]["state"] == "skipped"
    assert steps["weigh"]["values"] == {"net_kg": 10.7, "appearance": "conforms"}
    assert steps["weigh"]["deviations"][0]["comment"] == "slightly above, re-weighed"
    assert steps["mix"]["values"] == {"mix_min": 5, "remark": "mixed at 200 rpm"}
    assert steps["yield_calc"]["calculated"] == {"yield_pct": 99.0}
    assert [s["username"] for s in steps["verify_weigh"]["signatures"]] == ["sam"]
    assert [s["meaning"] for s in steps["sign_off"]["signatures"]] == ["performed"]
    photo = steps["photo_granules"]["values"]["granules_photo"]
    async with api.client.get(
        f"/api/v1/media/{photo}", headers={"Authorization": f"Bearer {await api.token('quinn')}"}
    ) as stored:
        assert stored.status == 200
    assert "alert: 10.7 kg is above the alert limit 10.5 kg" in answered
    assert "403" in str(self_verified.value) and "different person" in str(self_verified.value)
    assert counts == {"pending": 0, "done": 9, "conflict": 1}
    await assert_recorded_once(base, ids["H-1"])


async def test_a_step_completed_elsewhere_is_announced_and_the_view_moves_on(
    api: ApiClient, tmp_path: Path
) -> None:
    base = base_of(api)
    ids = await prepare(base, "H-3")
    async with headset(base, tmp_path / "outbox.db", patient=False, camera=False) as operator:
        await say(operator, "batch H-3", *lines_of("clearance"), "sync")
        await say(operator, "value 10.0")
        other = await api.post(
            f"/batches/{ids['H-3']}/steps/weigh/complete",
            "omar",
            {"values": {"net_kg": 10.1, "appearance": "conforms"}},
        )
        assert other.status == 200, other.body
        notice = await asyncio.wait_for(operator.session.notices.get(), 10)
        moved_on = await operator.session.view_reaches(
            lambda batch: batch is not None and batch.active() is batch.steps[3], 10
        )
        shown = await say(operator, "repeat")
        looked_back = await say(operator, "back", "back")
    assert notice == "step weigh completed by omar"
    assert moved_on and "Mix (ACTIVE)" in shown[0]
    assert "Re-sieve the granules (skipped)" in looked_back[0]
    assert "Weigh the granules (done by omar)" in looked_back[2]
    assert any("net_kg: Net weight [kg]" in line and "= 10.1" in line for line in looked_back)

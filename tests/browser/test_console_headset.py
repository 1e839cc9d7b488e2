"""The whole remote-support loop with the real clients: the Python headset publishes its
synthetic camera (a label with a QR code) by WHIP, Chromium watches it by WHEP in the expert
console and draws an arrow, the headset receives the arrow with its coordinates, and the
server's live scan of the same picture is confirmed into the active scan step."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Page, expect

from headset_client.actions import Operator
from headset_client.annotations import Annotation
from headset_client.camera.synthetic import DEFAULT_CODE
from headset_client.headset import Headset, HeadsetOptions
from headset_client.session import HeadsetSession, SessionOptions
from tests.browser.support import PageWatch, Site, sign_in, wait_until_live
from tests.client import PASSWORDS
from tests.headset.support import say

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
VIDEO = "document.getElementById('console-video')"
DECODED = f"{VIDEO}.getVideoPlaybackQuality().totalVideoFrames"
TAIL, HEAD = (0.2, 0.25), (0.55, 0.6)
PATIENCE = 20.0  # seconds: WebRTC set-up and the first keyframe on a loaded machine


async def test_the_headset_streams_the_expert_draws_and_the_live_scan_is_recorded(
    page: Page, site: Site, watch: PageWatch, tmp_path: Path
) -> None:
    created = await site.api.post(
        "/batches",
        "sam",
        {"procedure": "stw101-granulation", "batch_number": "G-REMOTE", "parameters": {}},
    )
    assert created.status == 201, created.body
    batch_id = created.body["id"]
    options = SessionOptions(
        f"{site.base_url}/api/v1",
        "olivia",
        PASSWORDS["olivia"],
        tmp_path / "outbox.db",
        patient=True,  # signs with the password it signed in with
    )
    device = HeadsetOptions(camera="synthetic", publish=True, overlay_dir=tmp_path / "overlay")
    async with aiohttp.ClientSession() as http, Headset(options, device, http) as headset:
        operator = Operator(headset.session, headset.camera)
        await say(operator, "batch G-REMOTE", "check all", "sign")  # line clearance done
        await headset.batch_chosen()  # publishes the camera by WHIP

        # The scan step is active and the label is in view: the server announces the code.
        suggested = await _notice(headset.session, "scanned ")
        assert suggested == f"scanned {DEFAULT_CODE} for granulator_id: say 'confirm' to use it"

        await sign_in(page, "quinn", at=f"/#/console/{batch_id}")
        await wait_until_live(page)
        # "Live" can come before the page has drawn its player: wait for the element first.
        await expect(page.locator("#console-video")).to_be_attached()
        # Frames really arrive: the picture has the camera's size and Chromium keeps decoding.
        await page.wait_for_function(f"() => {VIDEO}.videoWidth > 0 && {DECODED} > 0")
        size = await page.evaluate(f"() => [{VIDEO}.videoWidth, {VIDEO}.videoHeight]")
        assert size == [960, 540]
        decoded = await page.evaluate(f"() => {DECODED}")
        await page.wait_for_function(f"(before) => {DECODED} > before + 10", arg=decoded)

        canvas = page.get_by_role("application", name="Draw on the video")
        box = await canvas.bounding_box()
        assert box is not None
        await page.mouse.move(box["x"] + box["width"] * TAIL[0], box["y"] + box["height"] * TAIL[1])
        await page.mouse.down()
        await page.mouse.move(
            box["x"] + box["width"] * HEAD[0], box["y"] + box["height"] * HEAD[1], steps=8
        )
        await page.mouse.up()

        overlay = await _notice(headset.session, "overlay drawn into ")
        [arrow] = headset.session.board.shown()
        _assert_drawn_where_dragged(arrow)
        assert await asyncio.to_thread(Path(overlay.removeprefix("overlay drawn into ")).is_file)

        confirmed = await say(operator, "confirm")
        assert any("Scan the granulator: recorded" in line for line in confirmed), confirmed
        await expect(page.locator('[data-console-step="scan_granulator"]')).to_contain_text(
            "Completed"
        )
        await watch.assert_clean()

    record = (await site.api.get(f"/batches/{batch_id}", "quinn")).body
    [step] = [step for step in record["steps"] if step["step_id"] == "scan_granulator"]
    assert step["values"] == {"granulator_id": "EQ-GRAN-01"}
    assert step["sources"] == {"granulator_id": "scan"}
    stored = (await site.api.get(f"/batches/{batch_id}/annotations", "quinn")).body
    assert [(a["id"], a["shape"], a["created_by"]["username"]) for a in stored] == [
        (arrow.id, "arrow", "quinn")
    ]


async def _notice(session: HeadsetSession, prefix: str) -> str:
    """The next notice the headset shows that starts with `prefix` (others are passed over)."""
    async with asyncio.timeout(PATIENCE):
        while not (notice := await session.notices.get()).startswith(prefix):
            pass
    return notice


def _assert_drawn_where_dragged(arrow: Annotation) -> None:
    assert arrow.shape == "arrow"
    [tail, head] = arrow.points
    for (x, y), (want_x, want_y) in ((tail, TAIL), (head, HEAD)):
        assert abs(x - want_x) < 0.02 and abs(y - want_y) < 0.02, arrow.points

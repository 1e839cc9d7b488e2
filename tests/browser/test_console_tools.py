"""The expert console's tools in Chromium: a second camera watched from the session list, and
talk-back, snapshot and recording on the batch's main stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.fake_camera import camera_args, code_frame, write_y4m
from tests.browser.support import PageWatch, Site, line_batch, sign_in
from tests.client import ApiClient
from tests.streams.sessions import publish

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Browser]:
    """Chromium with a fake camera and microphone, granted without a prompt."""
    video = write_y4m(tmp_path_factory.mktemp("camera") / "camera.y4m", code_frame("console"))
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS + camera_args(video)
        )
        yield launched
        await launched.close()


async def _listed(api: ApiClient) -> set[str]:
    return {stream["stream_id"] for stream in (await api.get("/streams", "sam")).body}


async def _until_ended(api: ApiClient, stream_id: str) -> None:
    for _ in range(100):
        if stream_id not in await _listed(api):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{stream_id} is still live")


async def test_an_expert_watches_a_second_camera_and_talks_snapshots_and_records_on_the_main(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await line_batch(site.api)
    main = await publish(site.api, batch["id"], as_user="olivia")
    second = await publish(site.api, f"{batch['id']}.bench", as_user="olivia")
    talkback = f"{batch['id']}.talkback"
    try:
        await sign_in(page, "quinn", at="/#/console")
        row = page.locator(f'tr[data-stream="{batch["id"]}.bench"]')
        await row.get_by_role("link", name="Watch").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(
            "Batch TL-2026-0042 · bench"
        )
        await expect(page.locator("#video-status")).to_have_text("Watching live.")

        await page.get_by_role("link", name="All live sessions").click()
        await (
            page.locator(f'tr[data-stream="{batch["id"]}"]')
            .get_by_role("link", name="Watch")
            .click()
        )
        await expect(page.get_by_role("heading", level=1)).to_have_text("Batch TL-2026-0042")
        await expect(page.locator("#video-status")).to_have_text("Watching live.")

        await page.get_by_role("button", name="Talk to the operator").click()
        await expect(page.locator("#talk-status")).to_have_text("Talking: the operator hears you.")
        assert talkback in await _listed(site.api)
        await page.get_by_role("button", name="Stop talking").click()
        await expect(page.locator("#talk-status")).to_have_text("Microphone off.")
        await _until_ended(site.api, talkback)  # by the DELETE that follows

        await page.get_by_role("button", name="Take snapshot").click()
        await expect(page.locator("#snapshot-status")).to_contain_text(
            "Snapshot saved to “Weigh the granules”."
        )
        await page.get_by_role("button", name="Start recording").click()
        await expect(page.locator("#record-status")).to_contain_text("Recording since")
        await page.wait_for_timeout(2000)  # frames to record (nothing on the page says so)
        await page.get_by_role("button", name="Stop recording").click()
        await expect(page.locator("#record-status")).to_contain_text(
            "Recording stored in the batch record."
        )
        await watch.assert_clean()
    finally:
        await second.close()
        await main.close()

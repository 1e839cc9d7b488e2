"""The expert console: a live session found, watched by WHEP in Chromium, an arrow drawn on it
that the operator's headset receives, and the arrow kept in the batch record."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.support import (
    PageWatch,
    Site,
    assert_accessible,
    line_batch,
    screenshot,
    sign_in,
    wait_until_live,
)
from tests.events import next_event, subscribed
from tests.streams.sessions import publish

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
VIDEO = "document.getElementById('console-video')"
# Where the test drags the arrow, as fractions of the video: tail, then head.
TAIL, HEAD = (0.25, 0.3), (0.6, 0.55)


async def test_an_expert_watches_a_live_session_and_the_headset_receives_the_arrow_drawn(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await line_batch(site.api)
    publisher = await publish(site.api, batch["id"], as_user="olivia")
    try:
        async with subscribed(site.api, batch["id"], "olivia") as headset:
            await sign_in(page, "quinn", at="/#/console")
            session = page.locator(f'tr[data-stream="{batch["id"]}"]')
            await expect(session).to_contain_text("TL-2026-0042")
            await expect(session).to_contain_text("olivia")
            await expect(session.locator('[data-label="Step"]')).to_have_text("weigh")
            await session.get_by_role("link", name="Watch").click()

            await expect(page.get_by_role("heading", level=1)).to_have_text("Batch TL-2026-0042")
            await wait_until_live(page)
            # Frames really arrive and play: the picture has a size and its clock advances.
            # (Functions, not expressions: the page's CSP refuses eval.)
            await page.wait_for_function(f"() => {VIDEO}.videoWidth > 0 && {VIDEO}.currentTime > 0")
            started = await page.evaluate(f"() => {VIDEO}.currentTime")
            await page.wait_for_function(f"(started) => {VIDEO}.currentTime > started", arg=started)
            await expect(page.locator("#video-status")).to_have_text("Watching live.")
            progress = page.locator(".console-batch")
            await expect(progress.locator('[data-console-step="weigh"]')).to_contain_text(
                "In progress"
            )

            canvas = page.get_by_role("application", name="Draw on the video")
            box = await canvas.bounding_box()
            assert box is not None
            await page.mouse.move(
                box["x"] + box["width"] * TAIL[0], box["y"] + box["height"] * TAIL[1]
            )
            await page.mouse.down()
            await page.mouse.move(
                box["x"] + box["width"] * HEAD[0], box["y"] + box["height"] * HEAD[1], steps=8
            )
            await page.mouse.up()

            event = await next_event(headset, "annotation", action="created")
            drawn = event["annotation"]
            assert (drawn["shape"], drawn["stream_id"], drawn["step_id"]) == (
                "arrow",
                batch["id"],
                "weigh",
            )
            assert drawn["created_by"]["username"] == "quinn"
            assert drawn["frame_timestamp"] >= 0
            [tail, head] = drawn["points"]
            for (x, y), (want_x, want_y) in ((tail, TAIL), (head, HEAD)):
                assert 0 <= x <= 1 and 0 <= y <= 1
                assert abs(x - want_x) < 0.02 and abs(y - want_y) < 0.02, drawn["points"]
            listed = page.locator(".console-annotations .annotation-list__item")
            await expect(listed).to_have_count(1)
            await expect(listed).to_contain_text("Arrow 1")
            await expect(listed).to_contain_text("On the video")
            await expect(page.locator("#draw-message")).to_have_text("Arrow sent to the operator.")

            # The same by keyboard: a rectangle from the centre, three steps right, two down.
            await page.get_by_label("Rectangle").check()
            await canvas.focus()
            for key in [
                "Enter",
                "ArrowRight",
                "ArrowRight",
                "ArrowRight",
                "ArrowDown",
                "ArrowDown",
            ]:
                await page.keyboard.press(key)
            await page.keyboard.press("Enter")
            boxed = (await next_event(headset, "annotation", action="created"))["annotation"]
            assert (boxed["shape"], boxed["points"]) == ("rectangle", [[0.5, 0.5], [0.56, 0.54]])

            await page.get_by_role("button", name="Clear Arrow 1").click()
            cleared = await next_event(headset, "annotation", action="cleared")
            assert cleared["annotation"]["id"] == drawn["id"]
            await expect(listed.first).to_contain_text("Cleared")
            # Numbers count what is on the video, as the operator's page does: it is 1 now.
            await expect(listed.first.locator(".annotation-list__name")).to_have_text("Arrow")
            await expect(listed.nth(1)).to_contain_text("Rectangle 1")

            await page.get_by_label("Message").fill("Please turn the label towards the camera.")
            await page.get_by_role("button", name="Send").click()
            said = await next_event(headset, "chat")
            assert said["message"]["text"] == "Please turn the label towards the camera."
            await expect(page.locator(".console-chat .chat__text")).to_have_text(
                "Please turn the label towards the camera."
            )

        stored = (await site.api.get(f"/batches/{batch['id']}/annotations", "olivia")).body
        assert [(a["id"], a["cleared_at"] is None) for a in stored] == [
            (drawn["id"], False),
            (boxed["id"], True),
        ]
        await expect(page.get_by_text("1 viewer", exact=True)).to_be_visible()
        await assert_accessible(page, "the expert console watching a stream")
        await screenshot(page, "console-watching.png")

        # The batch record shows the arrow too.
        await page.get_by_role("link", name="Open the batch record").click()
        record = page.get_by_role("region", name="Remote support")
        await expect(record.locator(".annotation-list__item").first).to_contain_text("Arrow")
        await expect(record.locator(".chat__text")).to_have_text(
            "Please turn the label towards the camera."
        )
        await expect(record).to_contain_text("Drawn by Quinn QA (quinn)")
        await assert_accessible(page, "the batch record with remote support")
        await watch.assert_clean()
    finally:
        await publisher.close()


async def test_the_session_list_says_when_nothing_is_live_and_updates_when_a_stream_starts(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await line_batch(site.api)
    await sign_in(page, "sam", at="/#/console")
    await wait_until_live(page)
    await expect(page.get_by_text("No live sessions.")).to_be_visible()
    await assert_accessible(page, "the empty session list")
    publisher = await publish(site.api, batch["id"], as_user="olivia")
    try:
        session = page.locator(f'tr[data-stream="{batch["id"]}"]')
        await expect(session).to_contain_text("TL-2026-0042")
        await expect(page.locator(".list-count")).to_have_text("1 live session")
        await watch.assert_clean()
    finally:
        await publisher.close()

"""The expert console fits a 1280 x 800 screen: the video, the active step and the chat stay in
view while messages are sent (the chat scrolls in its own box); the top bar is one row."""

from __future__ import annotations

import pytest
from playwright.async_api import Locator, Page, expect

from tests.browser.support import (
    PageWatch,
    Site,
    assert_accessible,
    line_batch,
    screenshot,
    sign_in,
    wait_until_live,
)
from tests.streams.sessions import publish

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
SCREEN = {"width": 1280, "height": 800}


async def _assert_in_view(page: Page, what: Locator, name: str) -> None:
    box = await what.bounding_box()
    assert box is not None, f"{name} is not shown"
    top, bottom = box["y"], box["y"] + box["height"]
    left, right = box["x"], box["x"] + box["width"]
    assert top >= 0 and bottom <= SCREEN["height"], f"{name} is not in view: {box}"
    assert left >= 0 and right <= SCREEN["width"], f"{name} is not in view: {box}"


async def _bar_height(page: Page) -> float:
    box = await page.locator("#topbar").bounding_box()
    assert box is not None
    return box["height"]


async def test_the_video_the_active_step_and_the_chat_stay_in_view_while_chatting(
    page: Page, site: Site, watch: PageWatch
) -> None:
    await page.set_viewport_size(SCREEN)
    batch = await line_batch(site.api)
    publisher = await publish(site.api, batch["id"], as_user="olivia")
    try:
        await sign_in(page, "quinn", at=f"/#/console/{batch['id']}")
        await wait_until_live(page)
        await expect(page.locator("#video-status")).to_have_text("Watching live.")
        video = page.locator(".console-stage")
        # The active step's head (number, title, state); its items scroll in the batch's box.
        active = page.locator(".console-batch__card--active .step__head")
        chat = page.get_by_role("region", name="Chat")
        message = chat.get_by_label("Message", exact=True)
        for number in range(1, 13):
            await message.fill(f"Message {number}: please turn the label towards the camera.")
            await message.press("Enter")
            await expect(chat.locator(".chat__text").last).to_have_text(
                f"Message {number}: please turn the label towards the camera."
            )
        await expect(message).to_be_focused()
        for what, name in ((video, "the video"), (active, "the active step"), (chat, "the chat")):
            await _assert_in_view(page, what, name)
        assert await page.evaluate("() => window.scrollY") == 0
        # The newest message is the one in view: the log scrolled, not the page.
        await _assert_in_view(page, chat.locator(".chat__text").last, "the newest message")
        await assert_accessible(page, "the console after a conversation")
        await screenshot(page, "console-1280x800.png")
        await watch.assert_clean()
    finally:
        await publisher.close()


@pytest.mark.parametrize("username", ["sam", "quinn", "olivia"])
async def test_the_top_bar_is_one_row_at_1280_pixels(
    page: Page, site: Site, watch: PageWatch, username: str
) -> None:
    await page.set_viewport_size(SCREEN)
    await sign_in(page, username)
    bar = page.locator("#topbar .topbar__inner")
    brand, sign_out = bar.locator(".brand"), bar.get_by_role("button", name="Sign out")
    brand_box, sign_out_box = await brand.bounding_box(), await sign_out.bounding_box()
    assert brand_box is not None and sign_out_box is not None
    # One row: the brand and the last button share a line, and the bar is one row high.
    assert (
        abs(
            (brand_box["y"] + brand_box["height"] / 2)
            - (sign_out_box["y"] + sign_out_box["height"] / 2)
        )
        < 2
    )
    assert await _bar_height(page) <= 65  # one 64 px row and its border
    await assert_accessible(page, f"the top bar of {username}")
    await watch.assert_clean()

"""The console's viewer count follows the viewers, including one whose browser dies without
ending its WHEP session: the server notices the lost connection (ICE consent freshness) and
announces the new count."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.support import PageWatch, Site, line_batch, sign_in, wait_until_live
from tests.streams.sessions import publish

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
# RFC 7675: consent expires 30 s after the last answered check (aioice: 6 checks 4-6 s apart).
CONSENT_LOST_MS = 60_000


async def test_the_viewer_count_drops_when_a_viewers_browser_dies(
    page: Page, site: Site, watch: PageWatch, browser: Browser
) -> None:
    batch = await line_batch(site.api)
    publisher = await publish(site.api, batch["id"], as_user="olivia")
    other = await browser.new_context(base_url=site.base_url)
    try:
        await sign_in(page, "quinn", at=f"/#/console/{batch['id']}")
        await wait_until_live(page)
        await expect(page.locator("#video-status")).to_have_text("Watching live.")
        await expect(page.get_by_text("1 viewer", exact=True)).to_be_visible()

        second = await other.new_page()
        await sign_in(second, "sam", at=f"/#/console/{batch['id']}")
        await expect(second.locator("#video-status")).to_have_text("Watching live.")
        # The first console hears of the second viewer without reloading.
        await expect(page.get_by_text("2 viewers", exact=True)).to_be_visible()

        await other.close()  # the browser goes away without ending its session
        await expect(page.get_by_text("1 viewer", exact=True)).to_be_visible(
            timeout=CONSENT_LOST_MS
        )
        streams = (await site.api.get("/streams", "quinn")).body
        assert [s["viewers"] for s in streams] == [1]
        await watch.assert_clean()
    finally:
        await other.close()
        await publisher.close()

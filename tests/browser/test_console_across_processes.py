"""Chromium watches a stream that lives in another server process: the page's WHEP offer
reaches process B, which answers 307 to process A, where the stream lives; the browser
follows it (same origin: the load balancer sends `/a/*` to A) and the video plays."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from tests.browser.prefix_proxy import PrefixProxy
from tests.browser.support import PageWatch, sign_in, wait_until_live
from tests.streams.processes import origin, publishing, two_processes
from tests.system.server_process import free_port

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.timeout(300),  # two server processes start, and Chromium
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
]
VIDEO = "document.getElementById('console-video')"


async def test_chromium_on_one_process_watches_the_stream_of_the_other(
    browser: Browser, database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    async with two_processes(database_url, tmp_path, a_url=f"{site}/a") as cluster:
        proxy = PrefixProxy(origin(cluster.a), origin(cluster.b))
        async with proxy.serving(port), publishing(cluster, cluster.a):
            context = await browser.new_context(base_url=site, locale="en-GB", timezone_id="UTC")
            try:
                page = await context.new_page()
                watch = await PageWatch.attach(page)
                await sign_in(page, "quinn", at="/#/console")
                session = page.locator(f'tr[data-stream="{cluster.batch_id}"]')
                await expect(session).to_contain_text("olivia")
                await session.get_by_role("link", name="Watch").click()
                await wait_until_live(page)
                await expect(page.locator("#video-status")).to_have_text("Watching live.")
                await page.wait_for_function(
                    f"() => {VIDEO}.videoWidth > 0 && {VIDEO}.currentTime > 0"
                )
                started = await page.evaluate(f"() => {VIDEO}.currentTime")
                await page.wait_for_function(
                    f"(started) => {VIDEO}.currentTime > started", arg=started
                )
                await watch.assert_clean()
            finally:
                await context.close()
        whep = f"/api/v1/streams/{cluster.batch_id}/whep"
        assert ("POST", whep, 307) in proxy.answers
        assert ("POST", "/a" + whep, 201) in proxy.answers

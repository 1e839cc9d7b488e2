"""Browser tests: the real app on a real port, driven by Debian's Chromium through Playwright.

One browser per module (launching Chromium is the slow part); every test gets its own seeded
SQLite database, its own server and a fresh browser context (no shared cookies). The browser
and the per-test servers share the module's event loop, so the fixtures here run in it rather
than in pytest-aiohttp's per-test loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient
from aioice import ice as aioice_ice
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from server.config import Settings
from tests.browser.support import ARTIFACTS, PageWatch, Site, start_server
from tests.client import ApiClient

# An assertion passes as soon as the page shows what it expects; on a machine running four test
# workers on two cores (CI) a page can take longer than Playwright's 5 s default to get there.
expect.set_options(timeout=10_000)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module", autouse=True)
def fresh_mdns_responder() -> None:
    """Chromium hides its addresses behind mDNS names, which the server's aioice resolves
    with one responder per thread, guarded by an asyncio.Lock bound to the event loop that
    first waited on it. Each module here runs in a loop of its own, and one that ended while
    the responder was being closed leaves that lock held in a dead loop: start each module
    with no responder, as a server process starts."""
    for name in ("lock", "protocol", "subscribers"):
        if hasattr(aioice_ice._mdns, name):
            delattr(aioice_ice._mdns, name)


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/test installs it (apt-get install chromium).")
    ARTIFACTS.mkdir(exist_ok=True)
    return CHROMIUM


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(chromium: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def site(settings: Settings) -> AsyncIterator[Site]:
    """The whole application (API, WebSocket, web viewer) serving a fresh demo database."""
    server = await start_server(settings)
    client = TestClient(server)
    try:
        yield Site(api=ApiClient(client), base_url=str(server.make_url("")).rstrip("/"))
    finally:
        await client.close()


async def _context(browser: Browser, site: Site, **options: object) -> BrowserContext:
    return await browser.new_context(
        base_url=site.base_url,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="UTC",
        **options,  # type: ignore[arg-type]
    )


@pytest_asyncio.fixture(loop_scope="module")
async def context(browser: Browser, site: Site) -> AsyncIterator[BrowserContext]:
    opened = await _context(browser, site)
    yield opened
    await opened.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


@pytest_asyncio.fixture(loop_scope="module")
async def watch(page: Page) -> PageWatch:
    """Console errors, uncaught exceptions and CSP violations of `page`."""
    return await PageWatch.attach(page)


@pytest_asyncio.fixture(loop_scope="module")
async def context_without_csp(browser: Browser, site: Site) -> AsyncIterator[BrowserContext]:
    """A context that ignores the CSP: shows that rendering alone keeps markup inert."""
    opened = await _context(browser, site, bypass_csp=True)
    yield opened
    await opened.close()

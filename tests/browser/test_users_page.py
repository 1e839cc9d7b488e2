"""The users page: an administrator's account controls, each confirmed with a reason, and the
forced password change a reset leads to."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.support import PageWatch, Site, assert_accessible
from tests.client import PASSWORDS

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


async def _signed_in(context: BrowserContext, username: str) -> Page:
    page = await context.new_page()
    await page.goto("/#/batches")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(PASSWORDS[username])
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    return page


async def _confirm(page: Page, row: str, action: str, reason: str) -> None:
    await page.locator(f'tr[data-username="{row}"]').get_by_role("button", name=action).click()
    dialog = page.get_by_role("dialog")
    await expect(dialog).to_be_visible()
    await dialog.get_by_label("Reason").fill(reason)
    await dialog.locator("#confirm-submit").click()
    await expect(dialog).to_have_count(0)


async def test_an_admin_deactivates_and_resets_and_the_user_must_change_the_password(
    page: Page, browser: Browser, site: Site, watch: PageWatch
) -> None:
    await page.goto("/#/users")
    await page.get_by_label("Username").fill("ada")
    await page.get_by_label("Password").fill(PASSWORDS["ada"])
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="Users").click()
    await expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    await assert_accessible(page, "the users page")

    omars = await browser.new_context(base_url=site.base_url)
    omar = await _signed_in(omars, "omar")
    await _confirm(page, "omar", "Deactivate", "left the site")
    await expect(page.locator('tr[data-username="omar"] .user-state')).to_have_text("Deactivated")
    # His open page notices within seconds (the WebSocket closes with 4001).
    await expect(omar.get_by_role("alert")).to_have_text(
        "Your session has ended. Sign in again to continue.", timeout=8000
    )
    await omars.close()
    await expect(
        page.locator('tr[data-username="ada"]').get_by_role("button", name="Deactivate")
    ).to_be_disabled()

    await _confirm(page, "olivia", "Reset password", "forgotten")
    notice = page.get_by_role("alert").filter(has_text="Temporary password for olivia")
    match = re.search(r"olivia: (\S+) \(shown once", await notice.inner_text())
    assert match is not None
    temporary = match.group(1)
    await watch.assert_clean()

    other = await browser.new_context(base_url=site.base_url)
    olivia = await other.new_page()
    await olivia.goto("/")
    await olivia.get_by_label("Username").fill("olivia")
    await olivia.get_by_label("Password").fill(temporary)
    await olivia.get_by_role("button", name="Sign in").click()
    await expect(olivia.get_by_role("heading", name="Change password")).to_be_visible()
    await assert_accessible(olivia, "the forced password change")
    await olivia.get_by_label("Temporary password").fill(temporary)
    await olivia.get_by_label("New password", exact=True).fill("a much longer passphrase")
    await olivia.get_by_label("New password again").fill("a much longer passphrase")
    await olivia.locator("#password-submit").click()
    await expect(olivia.locator("#signed-in-user")).to_contain_text("Olivia Operator")
    await other.close()

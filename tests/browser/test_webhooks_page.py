"""The webhooks page: an administrator subscribes a receiver, sees the secret once, follows
the delivery log, sends an event again and unsubscribes with a reason."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect

from server.config import LOOPBACK, Settings
from tests.browser.support import PageWatch, Site, assert_accessible, line_batch, sign_in
from tests.webhooks.receiver import Receiver

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, webhook_networks=LOOPBACK, webhook_retry_seconds=0.2)


@pytest_asyncio.fixture(loop_scope="module")
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    await receiver.start()
    yield receiver
    await receiver.stop()


async def test_an_admin_subscribes_follows_deliveries_and_unsubscribes(
    page: Page, site: Site, watch: PageWatch, receiver: Receiver
) -> None:
    await sign_in(page, "ada")
    await page.get_by_role("link", name="Webhooks").click()
    await expect(page.get_by_role("heading", name="Webhooks", exact=True)).to_be_visible()
    await page.get_by_label("URL").fill("http://10.9.8.7/hook")
    await page.get_by_role("button", name="Subscribe").click()
    await expect(page.get_by_text("STEPWISE_WEBHOOK_NETWORKS")).to_be_visible()

    await page.get_by_label("URL").fill(receiver.url)
    await page.get_by_role("button", name="Subscribe").click()
    secret = page.locator(".secret__value")
    await expect(secret).to_contain_text("whsec_")
    await assert_accessible(page, "the webhooks page")
    row = page.locator("#webhooks-table tbody tr")
    await expect(row).to_have_count(1)

    await line_batch(site.api)
    await receiver.wait_for(1, await secret.inner_text())
    await row.get_by_role("link").click()
    delivered = page.locator('#deliveries-table [data-status="delivered"]')
    await expect(delivered.first).to_be_visible(timeout=10_000)
    await assert_accessible(page, "the delivery log")
    first = page.locator("#deliveries-table tbody tr").last
    message_id = receiver.received[0].headers["webhook-id"]
    await first.get_by_role("button", name="Send again").click()
    await receiver.wait_for_copies(message_id, 2)

    await page.get_by_role("link", name="← Webhooks").click()
    await row.get_by_role("button", name="Unsubscribe").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Reason").fill("receiver retired")
    await dialog.locator("#confirm-submit").click()
    await expect(row.locator('[data-status="inactive"]')).to_be_visible()
    await watch.assert_clean(("/api/v1/webhooks", 422))

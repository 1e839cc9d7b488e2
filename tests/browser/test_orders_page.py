"""The orders page: a supervisor sees the ERP's orders, is told clearly when an order cannot
start, and starts a planned one, landing on its new batch."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.api.fixtures import approved_procedure
from tests.browser.support import PageWatch, Site, assert_accessible, sign_in
from tests.orders.documents import order_json

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


async def test_a_supervisor_starts_a_planned_order_and_lands_on_its_batch(
    page: Page, site: Site, watch: PageWatch
) -> None:
    await approved_procedure(site.api, "chain_granulation.yaml")
    for number, batch in (("PO-7001", "G-7001"), ("PO-7002", "G-7002")):
        answer = await site.api.post("/orders", "sam", order_json(number, batch))
        assert answer.status == 200, answer.body

    await sign_in(page, "sam")
    await page.get_by_role("link", name="Orders").click()
    await expect(page.get_by_role("heading", name="Orders", exact=True)).to_be_visible()
    await expect(page.locator(".list-count")).to_have_text("2 orders")
    row = page.locator('#orders-table tr[data-order="PO-7001"]')
    for text in ("STW-101-FB", "chain-granulation", "4 kg", "G-7001", "Planned", "LAC-2611-01"):
        await expect(row).to_contain_text(text)
    await assert_accessible(page, "the orders page")

    # Started elsewhere meanwhile: the page says why it cannot start again.
    started = await site.api.post("/orders/PO-7002/start", "sam")
    assert started.status == 200, started.body
    other = page.locator('#orders-table tr[data-order="PO-7002"]')
    await other.get_by_role("button", name="Start batch").click()
    await expect(page.locator("#order-refusal")).to_contain_text("PO-7002")
    await assert_accessible(page, "the orders page with a refusal")

    await row.get_by_role("button", name="Start batch").click()
    await expect(page).to_have_url(re.compile(r"#/batches/[^/]+$"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("G-7001")
    order = (await site.api.get("/orders/PO-7001", "sam")).body
    assert order["status"] == "started"
    assert page.url.endswith(f"#/batches/{order['batch_id']}")

    await page.get_by_role("link", name="Orders").click()
    await expect(row.get_by_role("link", name="G-7001")).to_be_visible()
    await expect(row.get_by_role("button", name="Start batch")).to_have_count(0)
    await page.set_viewport_size({"width": 390, "height": 844})  # a phone
    await expect(row).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await watch.assert_clean((f"/api/v1/orders/{started.body['id']}/start", 409))

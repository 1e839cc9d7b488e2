"""Issue 20: the batch list loads a page at a time ("Load more") and searches by batch number
on the server; the search is in the address, so a reload or a shared link shows the same."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.api.fixtures import approved_procedure
from tests.browser.support import PageWatch, Site, sign_in, wait_until_live
from tests.client import ApiClient

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.timeout(300),  # sixty batches created through the API, on a busy CI box
]
PAGE = 50  # the list's default page


async def _create(api: ApiClient, number: str) -> str:
    created = await api.post("/batches", "sam", {"procedure": "test-line", "batch_number": number})
    assert created.status == 201, created.body
    return created.body["id"]


async def _shown(page: Page) -> list[str]:
    return await page.locator("tbody tr[data-batch]").evaluate_all(
        "rows => rows.map(row => row.dataset.batch)"
    )


async def test_load_more_adds_the_next_page_once_and_search_narrows_the_list_in_the_address(
    page: Page, site: Site, watch: PageWatch
) -> None:
    await approved_procedure(site.api, "test_line.yaml")
    for n in range(PAGE + 7):
        await _create(site.api, f"LM-{n:03d}")
    found = [await _create(site.api, f"FIND-{n}") for n in range(3)]
    newest_first = [batch["id"] for batch in await site.api.get_all("/batches", "sam")]
    total = len(newest_first)

    await sign_in(page, "sam", at="/#/batches")
    rows = page.locator("tbody tr[data-batch]")
    more = page.get_by_role("button", name="Load more")
    count = page.locator(".list-count")
    await expect(rows).to_have_count(PAGE)
    await expect(count).to_have_text(f"Showing {PAGE} of {total} batches")
    assert await _shown(page) == newest_first[:PAGE]

    await more.click()
    await expect(rows).to_have_count(total)
    assert await _shown(page) == newest_first  # the next page after the first, none twice
    await expect(count).to_have_text(f"{total} batches")
    await expect(more).to_be_hidden()

    # A batch created meanwhile comes in live; the rows scrolled to stay, none twice.
    await wait_until_live(page)
    added = await _create(site.api, "LM-LIVE")
    await expect(rows.first).to_have_attribute("data-batch", added)
    await expect(count).to_have_text(f"Showing {total} of {total + 1} batches")
    shown = await _shown(page)
    assert shown == [added, *newest_first[:-1]]
    await expect(more).to_be_visible()

    search = page.get_by_label("Batch number starts with")
    await search.fill("find-")  # any case
    await expect(rows).to_have_count(3)
    assert sorted(await _shown(page)) == sorted(found)
    await expect(count).to_have_text("3 batches match the filter")
    await expect(more).to_be_hidden()
    await expect(page).to_have_url(re.compile(r"#/batches\?q=find-$"))

    await page.reload()  # the address keeps the search
    await expect(page.get_by_label("Batch number starts with")).to_have_value("find-")
    await expect(rows).to_have_count(3)
    assert sorted(await _shown(page)) == sorted(found)

    await page.get_by_label("Batch number starts with").fill("")
    await expect(rows).to_have_count(PAGE)  # the whole list again, from its first page
    await expect(page).to_have_url(re.compile(r"#/batches$"))
    await expect(more).to_be_visible()
    await watch.assert_clean()

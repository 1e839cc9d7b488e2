"""Process analytics in the browser: over a seeded history with a known answer, the page ranks
the hidden driver of the granulation yield first and flags the drifting tablet hardness on its
control chart; every point leads to its batch record."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from server.config import Settings
from server.db.engine import open_database
from server.demo_history import seed_demo_history
from tests.browser.support import ARTIFACTS, PageWatch, Site, assert_accessible, screenshot, sign_in

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
HISTORY_BATCHES = 60
GRANULATION, COMPRESSION, DISPENSING = (
    "stw101-granulation",
    "stw101-compression",
    "stw101-dispensing",
)
HIDDEN_DRIVER, OUTCOME = "end_power_kw", "yield_pct"  # demo history: power moves the yield
DRIFTING = "end_hardness_n"  # demo history: punch wear raises the hardness over the campaign
README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "analytics.png"


async def _seed_history(settings: Settings) -> None:
    database = open_database(settings.database_url)
    try:
        await seed_demo_history(database, batches=HISTORY_BATCHES)
    finally:
        await database.dispose()


async def test_the_drivers_ranking_puts_the_hidden_parameter_first_and_the_drift_is_flagged(
    page: Page, site: Site, watch: PageWatch, settings: Settings
) -> None:
    # Before any history: the page says there is nothing to study yet, and why.
    await sign_in(page, "sam", at=f"/#/analytics/{DISPENSING}")
    await expect(
        page.get_by_role("heading", name=re.compile("dispensing"), level=1)
    ).to_be_visible()
    await expect(page.locator("#analytics-summary")).to_contain_text("0 batches")
    await expect(page.locator("#trend")).to_contain_text("No batch recorded this number yet.")
    await expect(page.locator("#drivers")).to_contain_text("cqa: true")
    await assert_accessible(page, "the analytics page of a procedure without history")

    await _seed_history(settings)
    await page.goto("/#/batches")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Analytics").click()
    await expect(page.get_by_role("heading", name="Analytics", level=1)).to_be_visible()
    await assert_accessible(page, "the list of procedures to study")
    await screenshot(page, "analytics-procedures.png")
    await page.locator(f'[data-procedure="{GRANULATION}"] a').click()
    await expect(page).to_have_url(re.compile(rf"#/analytics/{GRANULATION}"))

    # The table: one row per finished batch, sortable, and the same table as CSV.
    answer = await site.api.get(f"/analytics/procedures/{GRANULATION}/table", "sam")
    finished = len(answer.body["batches"])
    assert finished == HISTORY_BATCHES  # completed or released, by default
    table = page.locator("#analytics-table")
    await expect(table.locator("tbody tr")).to_have_count(finished)
    csv_link = page.get_by_role("link", name="Download CSV")
    await expect(csv_link).to_have_attribute(
        "href", f"/api/v1/analytics/procedures/{GRANULATION}/table?format=csv"
    )
    csv = await page.request.get(await csv_link.get_attribute("href") or "")
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")
    assert len((await csv.text()).strip().splitlines()) == finished + 1
    sort_yield = table.locator(f'button[data-sort="value:{OUTCOME}"]')
    await sort_yield.click()
    await expect(sort_yield.locator("xpath=..")).to_have_attribute("aria-sort", "ascending")
    await sort_yield.click()
    await expect(sort_yield.locator("xpath=..")).to_have_attribute("aria-sort", "descending")
    await expect(sort_yield).to_be_focused()
    values = await table.locator("tbody tr").evaluate_all(
        """(rows, at) => rows.map((row) => parseFloat(row.cells[at].textContent))""",
        await _column_index(page, f"value:{OUTCOME}"),
    )
    assert values == sorted(values, reverse=True)

    # Which parameter moved the yield? The hidden one, first and significant.
    await page.get_by_label("Outcome", exact=True).select_option(OUTCOME)
    drivers = page.locator("#drivers-table")
    first = drivers.locator("tbody tr").first
    await expect(first).to_have_attribute("data-parameter", HIDDEN_DRIVER)
    await expect(first).to_contain_text("Significant")
    scatter = page.locator(f'.scatter-grid [data-parameter="{HIDDEN_DRIVER}"] svg')
    await expect(scatter).to_be_visible()
    await expect(page.locator("#drivers-messages")).to_contain_text(HIDDEN_DRIVER)
    assert f"outcome={OUTCOME}" in page.url
    # The top bar of a supervisor, with the most links, still fits a laptop's width.
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await assert_accessible(page, "the analytics page (granulation)")
    shot = await screenshot(page, "analytics-drivers.png")
    assert shot.stat().st_size > 20_000
    await _section_screenshot(page, "#drivers-title", README_SCREENSHOT)

    # The drifting hardness of the compression: its control chart flags points.
    await page.goto(f"/#/analytics/{COMPRESSION}?parameter={DRIFTING}")
    chart = page.locator("#trend svg.control-chart")
    await expect(chart).to_be_visible()
    await expect(page.get_by_label("Parameter", exact=True)).to_have_value(DRIFTING)
    flagged = chart.locator('a[data-flagged="true"]')
    assert await flagged.count() > 0
    await expect(page.locator("#flagged-points li").first).to_contain_text("Nelson rule")
    await expect(chart.locator('[data-line="ucl"]')).to_have_count(1)
    await expect(chart.locator('[data-line="lcl"]')).to_have_count(1)
    await expect(page.locator("#capability")).to_contain_text("Cpk")
    for link, kind in [
        (page.get_by_role("link", name="SVG of the control chart"), "image/svg+xml"),
        (page.get_by_role("link", name="PNG of the drivers chart"), "image/png"),
        (page.get_by_role("link", name=re.compile("^PNG of the scatter")).first, "image/png"),
    ]:
        chart_file = await page.request.get(await link.get_attribute("href") or "")
        assert chart_file.ok and chart_file.headers["content-type"].startswith(kind)
    await assert_accessible(page, "the control chart of a drifting parameter")
    await screenshot(page, "analytics-control-chart.png")
    await _section_screenshot(page, "#trend-title", ARTIFACTS / "analytics-chart.png")
    # Unfinished batches too: the choice goes into the address and every request.
    await page.get_by_label("Include unfinished batches").check()
    await expect(page).to_have_url(re.compile(r"include=all"))
    await expect(page.get_by_role("link", name="Download CSV")).to_have_attribute(
        "href", f"/api/v1/analytics/procedures/{COMPRESSION}/table?format=csv&include=all"
    )
    await expect(page.locator("#analytics-summary")).to_contain_text("every status")
    await expect(chart.locator('a[data-flagged="true"]').first).to_be_visible()

    # On a phone: nothing scrolls sideways but the table, inside its own region.
    await page.set_viewport_size({"width": 390, "height": 844})
    await expect(chart).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await screenshot(page, "analytics-phone.png")
    await page.set_viewport_size({"width": 1280, "height": 900})

    # A flagged point opens its batch record.
    point = flagged.last
    number = await point.get_attribute("data-batch")
    await point.click()
    await expect(page.get_by_role("heading", name=number, level=1)).to_be_visible()
    await watch.assert_clean()


async def _column_index(page: Page, sort_key: str) -> int:
    """Which cell of a row holds the column whose heading sorts by `sort_key`."""
    return await page.locator(f'button[data-sort="{sort_key}"]').evaluate(
        "(button) => button.closest('th').cellIndex"
    )


async def _section_screenshot(page: Page, heading: str, path: Path) -> None:
    """A picture of the page's section under `heading`, clear of the sticky top bar."""
    box = await page.locator("section", has=page.locator(heading)).evaluate(
        """(section) => { const r = section.getBoundingClientRect();
            return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; }"""
    )
    await page.screenshot(path=str(path), full_page=True, clip=box)

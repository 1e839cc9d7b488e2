"""The pages people use: batch list, batch creation, batch record, procedures."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page, expect

from tests.api.fixtures import approved_procedure, complete
from tests.api.fixtures import signature as signed_as
from tests.browser.support import (
    DASH,
    PageWatch,
    Site,
    assert_accessible,
    line_batch,
    screenshot,
    sign_in,
    weighed_in_alert,
)
from tests.client import ApiClient

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT[\d:.]+Z$")
pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


async def _created_batch(api: ApiClient, number: str) -> dict[str, Any]:
    created = await api.post(
        "/batches", "sam", {"procedure": "test-line", "batch_number": number, "parameters": {}}
    )
    assert created.status == 201, created.body
    return created.body


async def test_batch_list_shows_status_and_progress_and_filters(
    page: Page, site: Site, watch: PageWatch
) -> None:
    running = await line_batch(site.api)
    waiting = await _created_batch(site.api, "WAIT-0001")
    await sign_in(page, "olivia", at="/#/batches")
    rows = page.locator("tbody tr[data-batch]")
    await expect(rows).to_have_count(2)
    await expect(page.locator(".list-count")).to_have_text("2 batches")  # the server's total
    await expect(page.get_by_role("button", name="Load more")).to_be_hidden()  # one page
    first = page.locator(f'tr[data-batch="{running["id"]}"]')
    await expect(first).to_contain_text(running["batch_number"])
    await expect(first).to_contain_text("In progress")
    await expect(first.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "1")
    await expect(first).to_contain_text("1 of 8 steps done")
    current = first.locator('[data-label="Current step"]')
    await expect(current).to_have_text("Weigh the granules")  # the step's title, not its id
    await expect(page.locator(f'tr[data-batch="{waiting["id"]}"]')).to_contain_text("Created")
    await expect(page.get_by_role("link", name="New batch")).to_have_count(0)  # not a supervisor
    await assert_accessible(page, "the batch list")
    await screenshot(page, "batch-list.png")

    await page.get_by_label("Status").select_option(label="In progress")
    await expect(rows).to_have_count(1)
    await expect(rows).to_contain_text(running["batch_number"])
    assert "status=in_progress" in page.url
    await page.get_by_label("Status").select_option(label="All statuses")
    await page.get_by_label("Batch number starts with").fill("wait-00")
    await expect(rows).to_have_count(1)
    await expect(rows).to_contain_text("WAIT-0001")
    await page.get_by_label("Batch number starts with").fill("nothing like this")
    await expect(page.get_by_text("No batch matches the filter.")).to_be_visible()

    # The list is live too: a batch created elsewhere appears without a reload.
    await page.get_by_label("Batch number starts with").fill("")
    await _created_batch(site.api, "LIVE-0001")
    await expect(rows).to_have_count(3)
    await watch.assert_clean()


async def test_supervisor_creates_and_starts_a_batch(
    page: Page, site: Site, watch: PageWatch
) -> None:
    await approved_procedure(site.api, "test_line.yaml")
    await sign_in(page, "sam", at="/#/batches")
    await page.get_by_role("link", name="New batch").click()
    await expect(page.get_by_role("heading", name="New batch")).to_be_visible()
    await page.get_by_label("Procedure").select_option(label="Test line (version 1)")
    size = page.get_by_label("Batch size (kg)")
    await expect(size).to_have_value("10")
    await page.get_by_label("Batch number").fill("WEB-0001")
    await size.fill("500")
    await page.get_by_role("button", name="Create batch").click()
    error = page.locator(".field", has=size).locator(".field__error")
    await expect(error).to_be_visible()
    await expect(size).to_have_attribute("aria-invalid", "true")
    await expect(size).to_be_focused()
    await assert_accessible(page, "the new batch form with an error")

    await size.fill("12")
    await page.get_by_role("button", name="Create batch").click()
    await expect(page.get_by_role("heading", name="WEB-0001")).to_be_visible()
    await expect(page.locator(".batch-head__status")).to_have_text("Created")
    await expect(page.locator(".facts")).to_contain_text("12 kg")
    await page.get_by_role("button", name="Start batch").click()
    await expect(page.locator(".batch-head__status")).to_have_text("In progress")
    await expect(page.locator('[data-step="clearance"] [data-status="active"]')).to_be_visible()
    await watch.assert_clean(("/api/v1/batches", 422))


async def test_operators_cannot_create_batches(page: Page, watch: PageWatch) -> None:
    await sign_in(page, "olivia", at="/#/batches/new")
    await expect(page.get_by_text("Only supervisors can create batches.")).to_be_visible()
    await expect(page.get_by_role("button", name="Create batch")).to_have_count(0)
    await watch.assert_clean()


async def test_batch_view_shows_values_limits_signatures_deviations_and_history(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch, _ = await weighed_in_alert(site.api)
    verified = await complete(
        site.api,
        batch["id"],
        "verify_weigh",
        as_user="sam",
        signature=signed_as("sam", "verified"),
    )
    assert verified.status == 200, verified.body
    corrected = await site.api.post(
        f"/batches/{batch['id']}/steps/weigh/correct",
        "olivia",
        {
            "values": {"net_kg": 10.4},
            "reason": "Read the wrong display",
            "signature": signed_as("olivia", "corrected"),
        },
    )
    assert corrected.status == 200, corrected.body

    await sign_in(page, "quinn", at=f"/#/batches/{batch['id']}")
    await expect(page.get_by_role("heading", name=batch["batch_number"])).to_be_visible()
    weigh = page.locator('[data-step="weigh"]')
    net = weigh.locator('tr[data-name="net_kg"]')
    await expect(net.locator(".values__value .value").first).to_have_text("10.4 kg")
    await expect(net).to_contain_text("Changed after first entry")
    history = net.get_by_role("list", name="Value history of Net weight")
    await expect(history.locator("del")).to_have_text("10.6 kg")
    await expect(history).to_contain_text("corrected by Olivia Operator")
    await expect(history).to_contain_text("Reason: Read the wrong display")
    await expect(net.locator(".limits dd")).to_have_text([f"9.0{DASH}11.0 kg", f"9.5{DASH}10.5 kg"])
    await expect(net.get_by_role("img")).to_be_visible()
    await expect(weigh.locator(".deviation")).to_contain_text("Minor")
    await expect(weigh).to_have_class("step step--completed step--deviation")
    signature = page.locator('[data-step="verify_weigh"] .signature')
    await expect(signature).to_contain_text("Sam Supervisor (sam)")
    await expect(signature).to_contain_text("Signed: Verified")
    await expect(signature.locator("time")).to_have_attribute("datetime", ISO_UTC)
    # The verification signed 10.6 kg: the correction superseded it (finding 3 of issue 10).
    await expect(signature.locator("del")).to_have_text("Sam Supervisor (sam)")
    await expect(signature).to_contain_text("Superseded by a correction: applies to")
    await expect(page.locator('[data-step="verify_weigh"]')).to_contain_text(
        "Needs verification again"
    )
    await expect(weigh.locator(".signature")).to_contain_text("Signed: Corrected")
    rework = page.locator('[data-step="rework"]')
    await expect(rework).to_contain_text('Only when appearance == "does not conform"')
    await expect(rework.locator('[data-status="skipped"]')).to_have_text("Skipped")
    await assert_accessible(page, "the batch view")
    shot = await screenshot(page, "batch-view.png")
    assert shot.stat().st_size > 10_000

    await page.set_viewport_size({"width": 390, "height": 844})  # a phone
    await expect(net.locator(".values__value .value").first).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await screenshot(page, "batch-view-phone.png")
    await watch.assert_clean()


async def test_procedures_list_and_a_version_as_the_operator_will_see_it(
    page: Page, site: Site, watch: PageWatch
) -> None:
    await approved_procedure(site.api, "test_line.yaml")
    await sign_in(page, "olivia", at="/#/procedures")
    row = page.locator('tr[data-procedure="test-line"]')
    await expect(row).to_contain_text("Test line")
    await expect(row).to_contain_text("Approved")
    compression = page.locator('tr[data-procedure="stw101-compression"]')
    await expect(compression).to_contain_text("Version 1")
    await assert_accessible(page, "the procedure list")

    await row.get_by_role("link", name="Version 1").click()
    await expect(page.get_by_role("heading", name="Test line", exact=True)).to_be_visible()
    await expect(page.locator(".batch-head__status")).to_have_text("Approved")
    weigh = page.locator('[data-step="weigh"]')
    await expect(weigh.locator('tr[data-name="net_kg"]')).to_contain_text("Number in kg")
    await expect(weigh.locator('tr[data-name="net_kg"] .limits dd')).to_have_text(
        [f"9.0{DASH}11.0 kg", f"9.5{DASH}10.5 kg"]
    )
    await expect(weigh.locator('tr[data-name="appearance"]')).to_contain_text(
        "One of: conforms · does not conform"
    )
    await expect(page.locator('[data-step="verify_weigh"]')).to_contain_text(
        "Verifies “Weigh the granules”: signed by Supervisor, QA, not by the performer."
    )
    await expect(page.locator('[data-step="rework"]')).to_contain_text("Only when")
    await expect(page.locator('[data-step="rest"]')).to_contain_text(
        "Hold: at most 60 min after “Weigh the output”."
    )
    await expect(page.locator('[data-step="yield_calc"]')).to_contain_text(
        "Calculated: output_kg / batch_size_kg * 100"
    )
    await expect(page.locator('[data-step="sign_off"]')).to_contain_text("E-signature required")
    await assert_accessible(page, "a procedure version")
    await watch.assert_clean()

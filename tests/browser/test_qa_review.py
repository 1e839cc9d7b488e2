"""The QA pages: a reviewer reviews a batch by exception, is refused release while a
deviation is open, closes the deviation on its page, releases, and sees the locked record;
a supervisor approves the continuation of a batch on hold."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Locator, Page, expect

from tests.api.fixtures import DATA, complete, signature, started_batch, submitted
from tests.browser.support import (
    PageWatch,
    Site,
    assert_accessible,
    line_batch,
    screenshot,
    sign_in,
)
from tests.client import PASSWORDS, ApiClient

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
# Signatures show their date and time in UTC, whatever the viewer's zone (21 CFR 11.50).
UTC_TIME = re.compile(r"\d\d \w{3} \d{4}, \d\d:\d\d:\d\d UTC")


async def _completed_batch_with_alert_value(api: ApiClient) -> dict[str, Any]:
    """A test-line batch run to its end by olivia and sam, with net weight 10.6 kg in the
    alert band (9.5 to 10.5): one open deviation."""
    batch = await line_batch(api, "QA-2026-0001")
    steps: list[tuple[str, str, dict[str, Any]]] = [
        (
            "weigh",
            "olivia",
            {
                "values": {"net_kg": 10.6, "appearance": "conforms"},
                "comment": "Scale drift suspected",
            },
        ),
        ("verify_weigh", "sam", {"signature": signature("sam", "verified")}),
        ("output", "olivia", {"values": {"output_kg": 10.0}}),
        ("yield_calc", "olivia", {}),
        ("rest", "olivia", {}),
        ("sign_off", "olivia", {"signature": signature("olivia", "performed")}),
    ]
    for step_id, user, body in steps:
        answer = await complete(api, batch["id"], step_id, as_user=user, **body)
        assert answer.status == 200, (step_id, answer.body)
    record = (await api.get(f"/batches/{batch['id']}", "quinn")).body
    assert record["status"] == "completed"
    return record


async def _sign(page: Page, username: str) -> None:
    """Sign in the open e-signature dialog, which closes when the server accepts."""
    dialog = page.locator("#signature-dialog")
    await expect(dialog).to_be_visible()
    await dialog.get_by_label("Password").fill(PASSWORDS[username])
    await dialog.get_by_role("button", name="Sign").click()
    await expect(dialog).to_have_count(0)


async def _review_every_item(page: Page) -> None:
    items = page.locator("li.review-item")
    while await items.get_by_role("button", name="Reviewed", exact=True).count():
        item = items.filter(has=page.get_by_role("button", name="Reviewed", exact=True)).first
        item_id = await item.get_attribute("data-item")
        await item.get_by_role("button", name="Reviewed", exact=True).click()
        await _sign(page, "quinn")
        done = page.locator(f'li.review-item[data-item="{item_id}"]')
        await _expect_signature(done.locator(".signature"), "Quinn QA (quinn)", "Reviewed")


async def _screenshot(page: Page, name: str) -> None:
    """The whole page from its top (the sticky top bar stays where it belongs)."""
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, name)


async def _expect_signature(signature_: Locator, name: str, meaning: str) -> None:
    """Printed name, UTC date and time, and meaning."""
    await expect(signature_).to_contain_text(name)
    await expect(signature_).to_contain_text(f"Signed: {meaning}")
    await expect(signature_.locator("time")).to_have_text(UTC_TIME)


async def test_reviewer_reviews_exceptions_closes_the_deviation_and_releases(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await _completed_batch_with_alert_value(site.api)
    [deviation] = batch["deviations"]
    batch_path = f"/api/v1/batches/{batch['id']}"

    # The batch list: status and open deviations; QA sees the way to the review.
    await sign_in(page, "quinn", at="/#/batches")
    row = page.locator(f'tr[data-batch="{batch["id"]}"]')
    await expect(row).to_contain_text("Completed")
    await expect(row.locator("[data-open-deviations]")).to_have_text("1 open")
    await assert_accessible(page, "the batch list as QA")
    await row.get_by_role("link", name=f"Review batch {batch['batch_number']}").click()

    # The review page: the ratio, and each exception in its context.
    await expect(
        page.get_by_role("heading", name=f"Review of batch {batch['batch_number']}")
    ).to_be_visible()
    await expect(page.locator("#review-ratio")).to_have_text(
        re.compile(r"^\d+ exceptions? in \d+ recorded data points?; \d+ still to review\.$")
    )
    item = page.locator("li.review-item").filter(has_text="Weigh the granules").first
    await expect(item).to_contain_text("10.6 kg")
    await expect(item).to_contain_text("Olivia Operator (olivia)")
    await expect(item.get_by_role("img")).to_have_attribute(
        "aria-label", re.compile("in the alert band")
    )
    await expect(item.get_by_role("link", name=f"Deviation {deviation['number']}")).to_be_visible()
    await expect(item.locator('[data-status="open"]')).to_have_text("Open")
    await expect(page.locator("#record-pdf")).to_have_attribute("href", f"{batch_path}/record.pdf")
    await expect(page.locator("#record-json")).to_have_attribute(
        "href", f"{batch_path}/record.json"
    )
    await expect(page.locator(".decision__reasons li").first).to_be_visible()
    await assert_accessible(page, "the review page")
    await _screenshot(page, "qa-review.png")

    await _review_every_item(page)
    await expect(page.locator("#review-ratio")).to_contain_text("all reviewed")

    # A rejection needs its reason (asked before any signature).
    await page.get_by_role("button", name="Reject batch").click()
    await expect(page.get_by_label("Comment or reason")).to_be_focused()
    await expect(page.locator(".decision .field__error")).to_have_text(
        "Say why the batch is rejected."
    )
    await expect(page.locator("#signature-dialog")).to_have_count(0)

    # Release is refused while the deviation is open: the reasons are shown.
    await page.get_by_role("button", name="Release batch").click()
    await _sign(page, "quinn")
    refusal = page.locator("#decision-refusal")
    await expect(refusal).to_be_visible()
    await expect(refusal.locator("li").first).to_be_visible()
    await expect(refusal).to_contain_text(deviation["number"])
    await expect(page.locator(".batch-head__status")).to_have_text("Completed")
    await assert_accessible(page, "the review page with a refused release")
    await watch.assert_clean((f"{batch_path}/release", 409))

    # The deviation page: facts, history, close with the conclusion and a signature.
    await (
        page.locator("li.review-item")
        .get_by_role("link", name=f"Deviation {deviation['number']}")
        .first.click()
    )
    await expect(
        page.get_by_role("heading", name=re.compile(f"^Deviation {deviation['number']}"))
    ).to_be_visible()
    await expect(page.locator(".deviation-page__chips [data-status]").first).to_have_text("Open")
    await page.get_by_label("Impact assessment").fill(
        "None: 10.6 kg is within the hard limits; blend uniformity passed."
    )
    await page.get_by_label("Root cause").fill("Balance drift between calibrations.")
    await page.get_by_label("CAPA references").fill("CAPA-2026-014")
    await page.get_by_label("Reason for the change (optional)").fill("Investigation done")
    await page.get_by_role("button", name="Save facts").click()
    chips = page.locator(".deviation-page__chips")
    await expect(chips.locator('[data-status="investigating"]')).to_have_text("Investigating")
    history = page.locator(".deviation-history")
    await expect(history).to_contain_text("Balance drift between calibrations.")
    await expect(history).to_contain_text("Investigation done")
    await assert_accessible(page, "the deviation page")

    await page.get_by_label("Conclusion").fill("Product not affected; balance recalibrated.")
    await page.get_by_role("button", name="Close deviation").click()
    await _sign(page, "quinn")
    await expect(chips.locator('[data-status="closed"]')).to_have_text("Closed")
    await _expect_signature(
        page.locator(".deviation-page .signature").first, "Quinn QA (quinn)", "Approved"
    )
    await expect(page.locator(".deviation-facts")).to_contain_text(
        "Product not affected; balance recalibrated."
    )
    await expect(page.get_by_role("button", name="Close deviation")).to_have_count(0)
    await assert_accessible(page, "the closed deviation")
    await _screenshot(page, "qa-deviation.png")

    # The deviations list knows it is closed.
    await page.goto("/#/deviations?status=closed")
    deviation_row = page.locator(f'tr[data-deviation="{deviation["id"]}"]')
    await expect(deviation_row).to_contain_text("Closed")
    await assert_accessible(page, "the deviations list")

    # Back to the review: release, and the locked state shows.
    await page.goto(f"/#/batches/{batch['id']}/review")
    await expect(page.locator("#review-ratio")).to_be_visible()
    await _review_every_item(page)
    await page.get_by_role("button", name="Release batch").click()
    await _sign(page, "quinn")
    decision = page.locator("#decision")
    await expect(decision).to_contain_text("Released: the batch record is locked")
    await _expect_signature(decision.locator(".signature"), "Quinn QA (quinn)", "Released")
    await expect(page.locator(".batch-head__status")).to_have_text("Released")
    await expect(page.get_by_role("button", name="Release batch")).to_have_count(0)
    await expect(page.get_by_role("button", name="Reviewed", exact=True)).to_have_count(0)
    await assert_accessible(page, "the released batch's review")
    await _screenshot(page, "qa-review-released.png")
    await page.set_viewport_size({"width": 390, "height": 844})  # a phone
    await expect(decision).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await _screenshot(page, "qa-review-phone.png")
    await page.set_viewport_size({"width": 1280, "height": 900})

    await page.get_by_role("link", name=f"Batch record {batch['batch_number']}").click()
    await expect(page.locator(".batch-head__status")).to_have_text("Released")
    await expect(page.get_by_role("link", name="Review and decision")).to_be_visible()
    for name, media_type in (("record.pdf", "application/pdf"), ("record.json", "json")):
        answer = await page.request.get(f"{batch_path}/{name}")
        assert answer.status == 200, name
        assert media_type in answer.headers["content-type"], name
    await watch.assert_clean()


BLOCKING_LIMITS = "limits: {min: 9.0, max: 11.0, alert_min: 9.5, alert_max: 10.5, blocking: true}"


async def _held_batch(api: ApiClient) -> dict[str, Any]:
    """A batch of a test-line variant whose net weight limit is blocking, on hold at weigh."""
    source = (
        (DATA / "test_line.yaml")
        .read_text()
        .replace("key: test-line", "key: blocking-line")
        .replace("limits: {min: 9.0, max: 11.0, alert_min: 9.5, alert_max: 10.5}", BLOCKING_LIMITS)
    )
    assert BLOCKING_LIMITS in source
    loaded = await api.post(
        "/procedures", "alex", {"filename": "blocking_line.yaml", "source": source}
    )
    assert loaded.status == 201, loaded.body
    await submitted(api, "blocking-line", 1)
    approved = await api.post(
        "/procedures/blocking-line/versions/1/approve",
        "quinn",
        {"signature": signature("quinn", "approved")},
    )
    assert approved.status == 200, approved.body
    batch = await started_batch(api, "blocking-line")
    assert (
        await complete(api, batch["id"], "clearance", values={"area_clean": True})
    ).status == 200
    held = await complete(
        api,
        batch["id"],
        "weigh",
        values={"net_kg": 10.6, "appearance": "conforms"},
        comment="Scale drift suspected",
    )
    assert held.status == 200, held.body
    record = (await api.get(f"/batches/{batch['id']}", "sam")).body
    assert record["status"] == "on_hold", record["status"]
    return record


async def test_supervisor_approves_the_continuation_of_a_batch_on_hold(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await _held_batch(site.api)
    await sign_in(page, "sam", at="/#/batches?status=on_hold")
    row = page.locator(f'tr[data-batch="{batch["id"]}"]')
    await expect(row).to_contain_text("On hold")
    await row.get_by_role("link", name=batch["batch_number"]).click()

    hold = page.locator(".hold-panel")
    await expect(hold).to_contain_text("On hold at “Weigh the granules”")
    await expect(hold).to_contain_text("Raised by Olivia Operator (olivia)")
    await expect(hold).to_contain_text("0 of 1 approval to continue")
    await expect(page.locator(".batch-head__status")).to_have_text("On hold")
    await assert_accessible(page, "a batch on hold")
    await _screenshot(page, "qa-hold.png")

    await hold.get_by_label("Comment (optional)").fill("Balance checked, value plausible")
    await hold.get_by_role("button", name="Approve continuation").click()
    await _sign(page, "sam")
    await expect(page.locator(".hold-panel")).to_have_count(0)
    await expect(page.locator(".batch-head__status")).to_have_text("In progress")
    await watch.assert_clean()


async def test_reviewer_finds_a_deviation_by_its_filters_and_cancels_it(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await line_batch(site.api, "QA-2026-0002")
    other = await started_batch(site.api)
    cleared = await complete(site.api, other["id"], "clearance", values={"area_clean": True})
    assert cleared.status == 200, cleared.body
    for each in (batch, other):
        weighed = await complete(
            site.api,
            each["id"],
            "weigh",
            values={"net_kg": 10.6, "appearance": "conforms"},
            comment="Entered on the wrong batch",
        )
        assert weighed.status == 200, weighed.body
    [deviation] = (await site.api.get(f"/batches/{batch['id']}", "quinn")).body["deviations"]

    await sign_in(page, "quinn", at="/#/deviations")
    rows = page.locator("tr[data-deviation]")
    await expect(rows).to_have_count(2)
    await page.get_by_label("Batch").select_option(label=batch["batch_number"])
    await expect(rows).to_have_count(1)
    assert f"batch_id={batch['id']}" in page.url
    await page.get_by_label("Severity").select_option(label="Major")
    await expect(page.get_by_text("No deviation matches the filter.")).to_be_visible()
    await page.get_by_label("Severity").select_option(label="All severities")
    await rows.get_by_role("link", name=deviation["number"]).click()

    await page.get_by_role("button", name="Cancel deviation").click()
    await expect(page.get_by_label("Reason for cancelling")).to_be_focused()
    await page.get_by_label("Reason for cancelling").fill("Raised in error: a test entry")
    await page.get_by_role("button", name="Cancel deviation").click()
    await _sign(page, "quinn")
    chips = page.locator(".deviation-page__chips")
    await expect(chips.locator('[data-status="cancelled"]')).to_have_text("Cancelled")
    await expect(page.locator(".deviation-facts")).to_contain_text("Raised in error: a test entry")
    await _expect_signature(
        page.locator(".deviation-page .signature").first, "Quinn QA (quinn)", "Approved"
    )
    await expect(page.get_by_label("Impact assessment")).to_have_count(0)  # nothing to edit
    await assert_accessible(page, "a cancelled deviation")
    await watch.assert_clean()

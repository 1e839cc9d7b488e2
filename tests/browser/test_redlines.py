"""A redline in the browser: a supervisor proposes a tighter limit and an added step for one
running batch, QA approves it with an e-signature on the batch page, and the batch shows
and follows the changed procedure."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.api.fixtures import complete
from tests.browser.support import (
    PageWatch,
    Site,
    assert_accessible,
    line_batch,
    screenshot,
    sign_in,
)
from tests.client import PASSWORDS

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


async def test_supervisor_proposes_and_qa_approves_a_redline_for_one_batch(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await line_batch(site.api, "RL-2026-0001")
    at = f"/#/batches/{batch['id']}"
    await sign_in(page, "sam", at=at)

    form = page.locator("form.redline__propose")
    await form.get_by_label("Step to change").select_option(label="Weigh the granules")
    await expect(form.get_by_label("Hard maximum")).to_have_value("11")
    await form.get_by_label("Hard maximum").fill("10.2")
    await form.get_by_label("Add an instruction step after it").check()
    await form.get_by_label("Title of the new step").fill("Take a retain sample")
    await form.get_by_label("Instruction of the new step").fill("Take 20 g into a retain jar.")
    await form.get_by_role("button", name="Propose redline").click()
    await expect(form.locator("#redline-reason-error")).to_contain_text("Say why")
    await form.get_by_label("Reason for the change").fill("Tighter window for this clinical lot.")
    await form.get_by_role("button", name="Propose redline").click()
    # The alert maximum (10.5) is now above the hard maximum: the server says so, there.
    await expect(form.locator("#redline-net_kg-limits-error")).to_contain_text("alert_max")
    await form.get_by_label("Alert maximum").fill("10.0")
    await form.get_by_role("button", name="Propose redline").click()

    redline = page.locator('article.redline[data-redline="1"]')
    await expect(redline).to_contain_text("Proposed")
    await expect(redline).to_contain_text("limits.max changed from 11.0 to 10.2")
    await expect(redline).to_contain_text("Step added")
    await expect(redline).to_contain_text("Takes effect once QA approves it")
    await assert_accessible(page, "a proposed redline")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_label("Username")).to_be_visible()
    await sign_in(page, "quinn", at=at)
    await redline.get_by_role("button", name="Approve redline").click()
    dialog = page.locator("#signature-dialog")
    await expect(dialog).to_contain_text("limits.max changed from 11.0 to 10.2")
    await dialog.get_by_label("Password").fill(PASSWORDS["quinn"])
    await dialog.get_by_role("button", name="Sign").click()
    await expect(dialog).to_have_count(0)
    await expect(redline).to_contain_text("Approved")
    await expect(redline.locator(".signature")).to_contain_text("Quinn QA (quinn)")
    await expect(page.locator(".deviations-summary")).to_contain_text(
        "Procedure changed for this batch (redline 1)"
    )
    await expect(page.locator("ol.steps").first).to_contain_text("Take a retain sample")
    await assert_accessible(page, "an approved redline")
    await page.evaluate("window.scrollTo(0, 0)")
    await screenshot(page, "redline-approved.png")

    refused = await complete(
        site.api, batch["id"], "weigh", values={"net_kg": 10.4, "appearance": "conforms"}
    )
    assert refused.status == 422, refused.body
    await watch.assert_clean((f"/api/v1/batches/{batch['id']}/redlines", 422))

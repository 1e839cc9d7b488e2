"""What a browser page may and may not do: CSP, inert user text, CSRF on writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import BrowserContext, Page, expect

from tests.api.fixtures import complete
from tests.browser.support import PageWatch, Site, line_batch, sign_in

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
WEB_VIEWER = Path(__file__).resolve().parents[2] / "web_viewer"
MARKUP = "<img src=x onerror=window.__xss=1>"


async def test_the_app_is_served_with_a_strict_csp_and_no_inline_code(
    page: Page, site: Site
) -> None:
    answer = await page.request.get(site.base_url + "/")
    assert answer.ok
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    html = await answer.text()
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html)), "inline script"
    assert not re.search(r"\son\w+\s*=|\sstyle\s*=", html), "inline handler or style"
    sources = "\n".join(path.read_text() for path in WEB_VIEWER.rglob("*.js"))
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in sources, f"{sink} would let data become markup or code"


async def test_markup_in_a_comment_is_shown_as_text_and_never_runs(
    context_without_csp: BrowserContext, site: Site
) -> None:
    # Without the CSP as a safety net: the rendering alone must keep the text inert.
    page = await context_without_csp.new_page()
    watch = await PageWatch.attach(page)
    batch = await line_batch(site.api)
    done = await complete(
        site.api,
        batch["id"],
        "weigh",
        values={"net_kg": 10.6, "appearance": "conforms"},
        comment=MARKUP,
    )
    assert done.status == 200, done.body
    await sign_in(page, "olivia", at=f"/#/batches/{batch['id']}")
    comment = page.locator('[data-step="weigh"] .step__comment')
    await expect(comment).to_have_text(f"Comment: {MARKUP}")
    await expect(page.locator(".deviation")).to_be_visible()
    assert await page.locator('main img[src="x"]').count() == 0
    assert await page.evaluate("window.__xss") is None
    await watch.assert_clean()


async def test_a_batch_number_with_markup_is_refused_and_shown_at_its_field(
    page: Page, site: Site, watch: PageWatch
) -> None:
    refused = await site.api.post(
        "/batches", "sam", {"procedure": "stw101-compression", "batch_number": MARKUP}
    )
    assert refused.status == 422
    assert [error["field"] for error in refused.body["errors"]] == ["batch_number"]

    await sign_in(page, "sam", at="/#/batches/new")
    await page.get_by_label("Batch number").fill(MARKUP)
    await page.get_by_role("button", name="Create batch").click()
    number = page.get_by_label("Batch number")
    await expect(number).to_have_attribute("aria-invalid", "true")
    await expect(page.locator(".field", has=number).locator(".field__error")).to_have_text(
        "Use letters, digits and . _ / - only, starting with a letter or digit."
    )
    assert await page.evaluate("window.__xss") is None
    listed = await site.api.get("/batches", "sam")
    assert listed.body == [], "nothing was created"
    await watch.assert_clean(("/api/v1/batches", 422))


async def test_a_write_without_the_csrf_token_is_refused(
    page: Page, site: Site, watch: PageWatch
) -> None:
    await sign_in(page, "sam")
    status = await page.evaluate(
        """async () => (await fetch("/api/v1/batches", {
              method: "POST", headers: {"Content-Type": "application/json"},
              body: JSON.stringify({procedure: "stw101-compression", batch_number: "CSRF-1"}),
           })).status"""
    )
    assert status == 403
    assert (await site.api.get("/batches", "sam")).body == []
    await watch.assert_clean(("/api/v1/batches", 403))

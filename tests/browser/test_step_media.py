"""The operator sees the files an author attached to the step: the picture inline, the PDF
as a link."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.async_api import Page, expect

from tests.api.fixtures import complete, signature, started_batch, submitted
from tests.api.test_step_media import PDF, attach, draft_of_approved, png
from tests.browser.support import PageWatch, Site, assert_accessible, screenshot, sign_in
from tests.client import ApiClient

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


async def _batch_with_step_media(api: ApiClient) -> dict:
    await draft_of_approved(api)
    assert (await attach(api, png(), "image/png", caption="Level bubble centred")).status == 201
    assert (await attach(api, PDF, "application/pdf", caption="SOP-114 weighing")).status == 201
    await submitted(api, "test-line", 2)
    approved = await api.post(
        "/procedures/test-line/versions/2/approve",
        "quinn",
        {"signature": signature("quinn", "approved")},
    )
    assert approved.status == 200, approved.body
    batch = await started_batch(api)
    done = await complete(api, batch["id"], "clearance", values={"area_clean": True})
    assert done.status == 200, done.body
    return batch


async def test_the_operator_sees_the_steps_picture_and_its_pdf_link(
    site: Site, page: Page, watch: PageWatch
) -> None:
    batch = await _batch_with_step_media(site.api)
    await sign_in(page, "olivia", at=f"/#/operator/{batch['id']}")
    step = page.locator("#active-step")
    await expect(step).to_have_attribute("data-step", "weigh")
    picture = step.get_by_role("img", name="Level bubble centred")
    await expect(picture).to_be_visible()
    await expect(picture).to_have_js_property("naturalWidth", 32)  # loaded, not broken
    link = step.get_by_role("link", name="SOP-114 weighing")
    await expect(link).to_have_attribute("href", f"/api/v1/media/{hashlib.sha256(PDF).hexdigest()}")
    await assert_accessible(page, "the operator's step with media")
    await screenshot(page, "operator-step-media.png")
    await watch.assert_clean()


async def test_an_author_attaches_a_picture_in_the_editor_and_the_preview_shows_it(
    site: Site, page: Page, watch: PageWatch
) -> None:
    await draft_of_approved(site.api)
    await sign_in(page, "alex", at="/#/authoring/test-line/2")
    await page.locator("#tree-step-0-1").click()
    editor = page.locator("#step-media-editor")
    await editor.get_by_label("File").set_input_files(
        {"name": "bubble.png", "mimeType": "image/png", "buffer": png()}
    )
    await editor.get_by_label("Caption").fill("Level bubble centred")
    await editor.get_by_role("button", name="Attach file").click()
    await expect(editor.get_by_role("link", name="Picture: Level bubble centred")).to_be_visible()
    preview = page.locator("#step-preview")
    await expect(preview.get_by_role("img", name="Level bubble centred")).to_be_visible()
    await expect(page.locator("#save-status")).to_contain_text("revision 2")
    await assert_accessible(page, "the editor with a step's media")
    await screenshot(page, "authoring-step-media.png")

    remove = editor.get_by_role("button", name=re.compile(r"^Remove.*Level bubble centred$"))
    await remove.click()
    await expect(page.locator("#step-media-editor")).to_contain_text("No files.")
    listed = await site.api.get("/procedures/test-line/versions/2/steps/weigh/media", "alex")
    assert listed.body == []
    await watch.assert_clean()

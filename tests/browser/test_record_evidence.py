"""The batch record shows all its evidence: the photos and recordings attached to a step (as
thumbnails, opened large or played), the audit trail (filtered, old and new values side by
side, the chain's verification as a badge), who created and started the batch, and who
approved the procedure version with the signature's manifestation."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import Page, expect

from tests.api.fixtures import complete, signature
from tests.browser.support import (
    ARTIFACTS,
    PageWatch,
    Site,
    assert_accessible,
    line_batch,
    screenshot,
    sign_in,
    wait_until_live,
    weighed_in_alert,
)
from tests.client import ApiClient
from tests.streams import sessions
from tests.streams.media_peers import publish_tracks
from tests.streams.peers import MovingBar

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
UTC_TIME = re.compile(r"\d\d \w{3} \d{4}, \d\d:\d\d:\d\d UTC")


def _photo() -> bytes:
    """A real PNG: a blue field with an orange band, 320 by 240."""
    image = Image.new("RGB", (320, 240), (30, 90, 170))
    image.paste((240, 140, 40), (0, 100, 320, 140))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


async def _attach_photo(api: ApiClient, batch_id: str, caption: str) -> dict[str, Any]:
    stored = await api.call(
        "POST", "/media", "olivia", data=_photo(), headers={"Content-Type": "image/png"}
    )
    assert stored.status == 201, stored.body
    attached = await api.post(
        f"/batches/{batch_id}/attachments",
        "olivia",
        {"media_id": stored.body["id"], "caption": caption},
    )
    assert attached.status == 201, attached.body
    return attached.body


async def _record_the_stream(api: ApiClient, batch_id: str) -> None:
    """Olivia's camera streams, Quinn records a second of it: attached to the active step."""
    publisher = await publish_tracks(api, batch_id, MovingBar())
    try:
        started = await api.post(f"/streams/{batch_id}/recordings", "quinn")
        assert started.status == 201, started.body
        viewer = await sessions.watch(api, batch_id)
        try:
            await viewer.watcher.wait_for_frames(30)
        finally:
            await viewer.watcher.close()
        stopped = await api.post(
            f"/streams/{batch_id}/recordings/{started.body['id']}/stop", "quinn"
        )
        assert stopped.status == 200, stopped.body
    finally:
        await sessions.delete(api, publisher.location, "olivia")
        await publisher.pc.close()


async def test_photos_and_recordings_show_at_their_step_and_open(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await line_batch(site.api)
    photo = await _attach_photo(site.api, batch["id"], "Scale display before weighing")
    await _record_the_stream(site.api, batch["id"])

    await sign_in(page, "olivia", at=f"/#/batches/{batch['id']}")
    await wait_until_live(page)
    weigh = page.locator('[data-step="weigh"]')
    await expect(weigh.locator(".attachments__title")).to_have_text("Attached (2)")
    thumbnail = weigh.locator(f'[data-attachment="{photo["id"]}"]')
    await expect(thumbnail).to_contain_text("Photo · Scale display before weighing")
    image = thumbnail.locator("img")
    await expect(image).to_have_attribute("src", photo["media"]["url"])
    # The image has arrived and decoded (the session cookie fetched it), at its own size.
    # Found anew each time: live events may draw the record again meanwhile.
    await page.wait_for_function(
        """(selector) => {
            const img = document.querySelector(selector);
            img?.scrollIntoView();
            return img?.complete && img.naturalWidth === 320;
        }""",
        arg=f'[data-attachment="{photo["id"]}"] img',
    )
    assert await page.locator('[data-step="clearance"] .attachments').count() == 0

    await thumbnail.click()
    dialog = page.locator("#attachment-dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_role("heading")).to_have_text("Photo, step 2, Weigh the granules")
    await expect(dialog.locator("img")).to_have_attribute("alt", "Scale display before weighing")
    await expect(dialog).to_contain_text("Olivia Operator")
    await expect(dialog.locator("time")).to_have_text(UTC_TIME)
    await assert_accessible(page, "a photo opened from the batch record")
    await page.screenshot(path=str(ARTIFACTS / "batch-attachment.png"))
    await dialog.get_by_role("button", name="Close").click()
    await expect(dialog).to_have_count(0)
    await expect(thumbnail).to_be_focused()

    recording = weigh.locator('[data-kind="recording"]')
    await expect(recording).to_contain_text("Recording")
    await recording.click()
    video = page.locator("#attachment-dialog video")
    await expect(video).to_have_attribute("controls", "")
    await page.wait_for_function(
        "() => document.querySelector('#attachment-dialog video')?.readyState > 0"
    )
    assert await video.evaluate("(v) => v.videoWidth") > 0
    await page.keyboard.press("Escape")
    await expect(page.locator("#attachment-dialog")).to_have_count(0)
    await assert_accessible(page, "the batch record with attachments")
    await weigh.screenshot(path=str(ARTIFACTS / "batch-step-attachments.png"))
    await watch.assert_clean()


async def test_audit_trail_filters_by_actor_and_action_and_shows_old_and_new(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch, _ = await weighed_in_alert(site.api)
    corrected = await site.api.post(
        f"/batches/{batch['id']}/steps/weigh/correct",
        "olivia",
        {
            "values": {"net_kg": 10.4},
            "reason": "Read the wrong display",
            "signature": signature("olivia", "corrected"),
        },
    )
    assert corrected.status == 200, corrected.body

    await sign_in(page, "quinn", at=f"/#/batches/{batch['id']}")
    await wait_until_live(page)
    trail = page.locator("#audit-trail")
    await expect(trail.get_by_role("img", name="Audit chain intact")).to_be_visible()
    rows = trail.locator("tbody tr")
    await expect(rows.first).to_contain_text("Batch created")
    total = await rows.count()
    assert total >= 5

    await trail.get_by_label("Actor").select_option("olivia (Olivia Operator)")
    await trail.get_by_label("Action").select_option("value.corrected")
    await expect(rows).to_have_count(1)
    await expect(trail.locator(".audit__count")).to_have_text(f"1 of {total} entries")
    correction = rows.first
    old, new = correction.locator(".audit__old"), correction.locator(".audit__new")
    await expect(old.locator("dt")).to_have_text("Net weight")
    await expect(old.locator("dd")).to_have_text("10.6")
    await expect(new.locator("dt")).to_have_text("Net weight")
    await expect(new.locator("dd")).to_have_text("10.4")
    await expect(correction.locator(".audit__new .audit__pair--changed")).to_have_count(1)
    await expect(correction).to_contain_text("Read the wrong display")
    await expect(correction).to_contain_text("Weigh the granules")
    await expect(correction.locator("time")).to_have_text(UTC_TIME)

    # A step filter narrows to that step's entries; the others stay chosen.
    await trail.get_by_label("Action").select_option("")
    await trail.get_by_label("Step").select_option("clearance")
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Step completed")

    # New events re-read the trail and keep the filters.
    done = await complete(
        site.api, batch["id"], "verify_weigh", as_user="sam", signature=signature("sam", "verified")
    )
    assert done.status == 200, done.body
    await expect(trail.get_by_label("Step")).to_have_value("clearance")
    await expect(trail.locator(".audit__count")).not_to_have_text(f"1 of {total} entries")
    await assert_accessible(page, "the audit trail")
    await screenshot(page, "batch-audit.png")
    await watch.assert_clean()


async def test_operators_see_no_audit_trail(page: Page, site: Site, watch: PageWatch) -> None:
    batch = await line_batch(site.api)
    await sign_in(page, "olivia", at=f"/#/batches/{batch['id']}")
    await expect(page.get_by_role("heading", name=batch["batch_number"])).to_be_visible()
    await expect(page.locator("#audit-trail")).to_have_count(0)
    await watch.assert_clean()


async def test_header_names_creator_and_starter_and_version_its_approver(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await line_batch(site.api)
    await sign_in(page, "olivia", at=f"/#/batches/{batch['id']}")
    facts = page.locator(".batch-head .facts")
    created = facts.locator(".facts__item", has=page.locator("dt", has_text="Created"))
    started = facts.locator(".facts__item", has=page.locator("dt", has_text="Started"))
    await expect(created.locator("dd")).to_contain_text("Sam Supervisor (sam)")
    await expect(created.locator("time")).to_have_text(UTC_TIME)
    await expect(started.locator("dd")).to_contain_text("Olivia Operator (olivia)")
    await expect(started.locator("time")).to_have_text(UTC_TIME)

    await facts.get_by_role("link", name=re.compile("Test line, version 1")).click()
    approval = page.locator(".batch-head .signature")
    await expect(approval).to_contain_text("Quinn QA (quinn)")
    await expect(approval).to_contain_text("Signed: Approved")
    await expect(approval.locator("time")).to_have_text(UTC_TIME)
    await assert_accessible(page, "a procedure version with its approval")
    await page.locator(".batch-head").screenshot(path=str(ARTIFACTS / "procedure-approval.png"))
    await watch.assert_clean()


async def test_deviation_page_and_audit_trail_show_titles_labels_and_names_not_ids(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch, weighed = await weighed_in_alert(site.api)
    deviation = weighed["deviations"][0]

    await sign_in(page, "quinn", at=f"/#/deviations/{deviation['id']}")
    facts = page.locator(".batch-head .facts")

    def fact(term: str) -> Any:
        return facts.locator(".facts__item").filter(
            has=page.locator("dt", has_text=re.compile(f"^{term}$"))
        )

    await expect(fact("Step").locator("dd")).to_have_text("Weigh the granules")
    await expect(fact("Field").locator("dd")).to_have_text("Net weight")
    await expect(facts).not_to_contain_text("net_kg")

    await page.goto(f"{site.base_url}/#/batches/{batch['id']}")
    await wait_until_live(page)
    trail = page.locator("#audit-trail")
    await trail.get_by_label("Step").select_option("clearance")
    rows = trail.locator("tbody tr")
    await expect(rows).to_have_count(1)
    performer = rows.first.locator(".audit__new .audit__pair", has_text="Performer")
    await expect(performer.locator("dd")).to_have_text("Olivia Operator")
    await expect(rows.first.locator(".audit__new")).not_to_contain_text("performer_id")
    await watch.assert_clean()

"""The phone operator page: an operator runs a batch on a phone, scanning with its camera,
and shares the camera live by WHIP with the experts' annotations drawn over the preview.

Chromium's fake camera plays a generated video of the granulator's QR label; the context is a
phone (390 x 844 CSS pixels, touch).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from server.scans.resolver import qr_payload
from tests.api.fixtures import approved_procedure, complete, signature
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.fake_camera import camera_args, code_frame, write_y4m
from tests.browser.support import (
    PageWatch,
    Site,
    assert_accessible,
    screenshot,
    sign_in,
    wait_until_live,
)
from tests.client import PASSWORDS, ApiClient

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
GRANULATOR = "EQ-GRAN-01"  # demo equipment: a clean high-shear granulator
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 800}
TOUCH_TARGET_PX = 48
# The server's analysis starts at the publisher's next keyframe, which may take a while.
LIVE_SCAN_MS = 20_000
# Every control of the step and the camera panel, as the operator's glove meets it.
_CONTROL_HEIGHTS = """() => [...document.querySelectorAll(
    "#active-step button, #active-step input:not([type=radio]):not([type=checkbox]), "
    + "#active-step .op-choice, .camera-panel button")]
  .filter((element) => element.offsetParent !== null)
  .map((element) => [element.id || element.textContent.trim(),
                      element.getBoundingClientRect().height])"""


@pytest.fixture(scope="module")
def camera_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A video of the granulator's label (the QR code Stepwise prints on equipment labels)."""
    frame = code_frame(qr_payload("equipment", GRANULATOR))
    return write_y4m(tmp_path_factory.mktemp("camera") / "granulator-label.y4m", frame)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(chromium: Path, camera_video: Path) -> AsyncIterator[Browser]:
    """Chromium whose camera films the granulator's label."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(chromium), args=[*CHROMIUM_ARGS, *camera_args(camera_video)]
        )
        yield launched
        await launched.close()


@pytest_asyncio.fixture(loop_scope="module")
async def context(browser: Browser, site: Site) -> AsyncIterator[BrowserContext]:
    """A phone: small touch screen."""
    opened = await browser.new_context(
        base_url=site.base_url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="en-GB",
        timezone_id="UTC",
    )
    yield opened
    await opened.close()


async def _phone_batch(api: ApiClient, *, start: bool) -> dict[str, Any]:
    """A batch of the phone line, created by sam (and started by olivia if `start`)."""
    await approved_procedure(api, "phone_line.yaml")
    body = {"procedure": "phone-line", "batch_number": "PL-2026-0001", "parameters": {}}
    created = await api.post("/batches", "sam", body)
    assert created.status == 201, created.body
    if start:
        started = await api.post(f"/batches/{created.body['id']}/start", "olivia")
        assert started.status == 200, started.body
    return created.body


async def _assert_large_controls(page: Page, what: str) -> None:
    heights = await page.evaluate(_CONTROL_HEIGHTS)
    small = [(name, height) for name, height in heights if height < TOUCH_TARGET_PX]
    assert heights and not small, f"controls under {TOUCH_TARGET_PX} px on {what}: {small}"


async def test_an_operator_runs_a_whole_batch_on_a_phone_with_camera_scan_and_signature(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await _phone_batch(site.api, start=False)
    batch_path = f"/api/v1/batches/{batch['id']}"
    await sign_in(page, "olivia", at="/#/operator")

    # Pick the batch, start it.
    waiting = page.get_by_role("region", name="Ready to start")
    await expect(waiting.locator(f'[data-batch="{batch["id"]}"]')).to_contain_text("0 of 5 steps")
    await assert_accessible(page, "the operator's batch list")
    await screenshot(page, "operator-batches.png")
    await waiting.get_by_role("link", name=batch["batch_number"]).tap()
    await expect(page.get_by_role("heading", name=batch["batch_number"], level=1)).to_be_visible()
    await page.get_by_role("button", name="Start batch").tap()
    step = page.locator("#active-step")
    complete = page.locator("#complete-step")
    await expect(step).to_have_attribute("data-step", "scan_granulator")
    await expect(step).to_contain_text("Step 1 of 5")

    # Scan the granulator's label with the camera: the code fills the input, and the server
    # says what it is before the step is completed.
    await page.get_by_role("button", name="Scan granulator with the camera").tap()
    code = page.get_by_label("Granulator", exact=True)
    await expect(code).to_have_value(qr_payload("equipment", GRANULATOR))
    found = page.locator("#input-granulator-found")
    await expect(found).to_contain_text(f"Equipment {GRANULATOR}")
    await expect(found.locator('[data-status="clean"]')).to_have_text("Clean")
    await expect(page.locator("[data-camera]")).to_have_attribute("data-camera", "on")
    await _assert_large_controls(page, "the scan step")
    await assert_accessible(page, "the operator's scan step")
    await screenshot(page, "operator-scan.png")
    await complete.tap()

    await expect(step).to_have_attribute("data-step", "checks")
    # The header is two short rows: the checklist itself is on the first screen.
    bar = await page.locator("#topbar").bounding_box()
    assert bar is not None and bar["height"] <= 110, bar
    for item in await step.locator(".op-check").all():
        box = await item.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    await page.get_by_label("Bowl is clean and dry").check()
    await page.get_by_label("Safety guard is fitted").check()
    await complete.tap()

    # A value beyond the hard limit: refused, and said at the field.
    await expect(step).to_have_attribute("data-step", "water")
    water = page.get_by_label("Water added (kg)")
    judgement = page.locator("#input-water_kg-judgement")
    await water.fill("2.4")
    await expect(judgement).to_contain_text("Outside limits")
    await page.get_by_label("reached", exact=True).check()
    await complete.tap()
    error = page.locator("#input-water_kg-error")
    await expect(error).to_have_text("2.4 kg is above the maximum 2 kg")
    await expect(water).to_have_attribute("aria-invalid", "true")
    await expect(water).to_have_attribute("aria-describedby", re.compile(r"input-water_kg-error"))
    await expect(water).to_be_focused()
    await _assert_large_controls(page, "the data entry step")
    await screenshot(page, "operator-hard-limit.png")
    refused = await site.api.get(f"/batches/{batch['id']}", "olivia")
    water_record = next(s for s in refused.body["steps"] if s["step_id"] == "water")
    assert water_record["state"] == "active" and water_record["values"] == {}

    # In the alert band the page asks for the comment; completing opens a deviation, shown.
    # Correcting the value takes the refusal away: error line, red border and message.
    await water.fill("1.9")
    await expect(judgement).to_contain_text("Alert range")
    await expect(error).to_be_hidden()
    await expect(water).not_to_have_attribute("aria-invalid", "true")
    await expect(step.locator(".form-message")).to_be_hidden()
    comment = page.get_by_label("Comment")
    await expect(comment).to_be_visible()
    await comment.fill("Humid day: granules checked by hand")
    await complete.tap()
    await expect(step).to_have_attribute("data-step", "granules_photo")
    deviations = page.locator("#op-deviations")
    await expect(deviations).to_contain_text("1.9 kg is above the alert limit 1.8 kg")
    await expect(deviations).to_contain_text("Humid day: granules checked by hand")
    await expect(page.locator("#op-notices")).to_contain_text("raised")

    # A photo from the camera, stored by the server; its id is the input's value.
    await page.get_by_role("button", name="Take photo with the camera above").tap()
    stored = step.locator("[data-media]")
    await expect(stored).to_have_text("Photo stored")
    media_id = await stored.get_attribute("data-media")
    await expect(page.get_by_role("img", name="Photo for Photo of the granules")).to_be_visible()
    await complete.tap()

    # The sign-off needs an e-signature: name, meaning and time shown; a wrong password is
    # refused in the dialog.
    await expect(step).to_have_attribute("data-step", "sign_off")
    await page.get_by_role("button", name="Sign and complete").tap()
    dialog = page.get_by_role("dialog", name="Sign: Sign off the granulation")
    await expect(dialog).to_contain_text("Olivia Operator (olivia)")
    await expect(dialog.locator("#signature-meaning")).to_have_text("Performed")
    await expect(dialog.locator("#signature-time")).to_have_attribute(
        "datetime", re.compile(r"^\d{4}-\d\d-\d\dT")
    )
    password = dialog.get_by_label("Password")
    await password.fill("not-her-password")
    await dialog.get_by_role("button", name="Sign", exact=True).tap()
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(dialog).to_contain_text("was refused")
    await assert_accessible(page, "the e-signature dialog")
    await screenshot(page, "operator-signature.png")
    await password.fill(PASSWORDS["olivia"])
    await dialog.get_by_role("button", name="Sign", exact=True).tap()
    await expect(page.get_by_role("heading", name="Batch completed")).to_be_visible()
    await expect(dialog).to_have_count(0)
    await screenshot(page, "operator-completed.png")

    record = (await site.api.get(f"/batches/{batch['id']}", "quinn")).body
    assert record["status"] == "completed"
    steps = {s["step_id"]: s for s in record["steps"]}
    assert steps["scan_granulator"]["values"] == {"granulator": GRANULATOR}
    assert steps["scan_granulator"]["sources"] == {"granulator": "scan"}
    assert steps["checks"]["values"] == {"bowl_clean": True, "guard_fitted": True}
    assert steps["water"]["values"] == {"water_kg": 1.9, "endpoint": "reached"}
    assert steps["water"]["comment"] == "Humid day: granules checked by hand"
    assert [(d["step_id"], d["field"]) for d in record["deviations"]] == [("water", "water_kg")]
    assert steps["granules_photo"]["values"] == {"granules": media_id}
    [signature] = steps["sign_off"]["signatures"]
    assert (signature["username"], signature["meaning"]) == ("olivia", "performed")
    await watch.assert_clean(
        (f"{batch_path}/steps/water/complete", 422),
        (f"{batch_path}/steps/sign_off/complete", 422),
    )


async def test_the_phone_shares_its_camera_by_whip_with_live_scans_and_annotations(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await _phone_batch(site.api, start=True)
    await sign_in(page, "olivia", at=f"/#/operator/{batch['id']}")
    await expect(page.locator("#active-step")).to_have_attribute("data-step", "scan_granulator")
    await wait_until_live(page)

    share = page.locator("#share-live")
    await share.tap()
    await expect(page.locator("[data-live]")).to_have_attribute("data-live", "live")
    await expect(share).to_have_attribute("aria-pressed", "true")
    streams = await site.api.get("/streams", "sam")
    assert [(s["stream_id"], s["batch_id"], s["publisher"]) for s in streams.body] == [
        (batch["id"], batch["id"], "olivia")
    ]

    # Sam draws on the stream: an arrow, and a note whose text is markup (shown as text).
    note = "<img src=x onerror=alert(1)> Check the guard"
    drawn = []
    for drawing in (
        {"shape": "arrow", "points": [[0.2, 0.2], [0.5, 0.5]]},
        {"shape": "text", "points": [[0.1, 0.8]], "text": note},
    ):
        answer = await site.api.post(
            f"/batches/{batch['id']}/annotations",
            "sam",
            {"stream_id": batch["id"], "frame_timestamp": 1.0, **drawing},
        )
        assert answer.status == 201, answer.body
        drawn.append(answer.body["id"])
    overlay = page.locator(".camera__overlay")
    await expect(overlay.locator(f'[data-annotation="{drawn[0]}"]')).to_have_attribute(
        "data-shape", "arrow"
    )
    await expect(overlay.locator(f'[data-annotation="{drawn[1]}"] text').first).to_have_text(note)
    items = page.locator("#annotations-list li")
    await expect(items).to_have_count(2)
    await expect(items.first).to_contain_text("Arrow from Sam Supervisor")
    await expect(items.nth(1)).to_contain_text(note)
    assert await page.locator("#main img[src='x']").count() == 0
    await expect(overlay).to_have_attribute("aria-label", re.compile("^2 annotations"))
    await assert_accessible(page, "the camera with annotations")
    await screenshot(page, "operator-annotations.png")

    # Olivia acknowledges the arrow; sam clears the note, which leaves the picture.
    await page.get_by_role("button", name="Got it: annotation 1").tap()
    await expect(items.first).to_contain_text("Acknowledged by Olivia Operator")
    listed = (await site.api.get(f"/batches/{batch['id']}/annotations", "sam")).body
    assert listed[0]["acknowledged_by"]["username"] == "olivia"
    cleared = await site.api.post(f"/batches/{batch['id']}/annotations/{drawn[1]}/clear", "sam")
    assert cleared.status == 200, cleared.body
    await expect(items).to_have_count(1)
    await expect(overlay.locator(f'[data-annotation="{drawn[1]}"]')).to_have_count(0)

    # The server reads the label in the live video and offers the code (a `scan` event)
    # for the active scan step.
    offer = page.locator("#input-granulator-use-live")
    await expect(offer).to_be_visible(timeout=LIVE_SCAN_MS)
    await expect(page.locator(".op-scan__offer")).to_contain_text(f"Equipment {GRANULATOR}")
    await offer.tap()
    await expect(page.get_by_label("Granulator", exact=True)).to_have_value(
        qr_payload("equipment", GRANULATOR)
    )

    # Omar completes the step on his headset meanwhile: the phone moves on and says so.
    done = await complete(
        site.api, batch["id"], "scan_granulator", as_user="omar", values={"granulator": GRANULATOR}
    )
    assert done.status == 200, done.body
    await expect(page.locator("#active-step")).to_have_attribute("data-step", "checks")
    await expect(page.locator("#op-notices")).to_contain_text(
        "“Scan the granulator” was completed on another device by Omar Operator."
    )

    # Stopping ends the WHIP session: the stream is gone from the list.
    await share.tap()
    await expect(share).to_have_attribute("aria-pressed", "false")
    await expect(page.locator("[data-live]")).to_have_attribute("data-live", "stopped")
    assert (await site.api.get("/streams", "sam")).body == []
    await page.locator("#camera-toggle").tap()
    await expect(page.locator("[data-camera]")).to_have_attribute("data-camera", "off")
    await watch.assert_clean()


async def test_a_hold_shows_on_the_phone_and_lifts_live_when_continuation_is_approved(
    page: Page, site: Site, watch: PageWatch
) -> None:
    await approved_procedure(site.api, "blocking_step.yaml")
    created = await site.api.post(
        "/batches", "sam", {"procedure": "blocking-step", "batch_number": "BS-2026-0001"}
    )
    assert created.status == 201, created.body
    batch_id = created.body["id"]
    assert (await site.api.post(f"/batches/{batch_id}/start", "olivia")).status == 200
    await sign_in(page, "olivia", at=f"/#/operator/{batch_id}")
    step = page.locator("#active-step")
    await expect(step).to_have_attribute("data-step", "check")
    await wait_until_live(page)

    # A value in the alert band of a blocking step: the batch is held, completion is gone.
    await page.get_by_label("Torque").fill("8.5")
    await page.get_by_label("Comment").fill("Cap tight, re-torqued")
    await page.locator("#complete-step").tap()
    banner = page.locator("#hold-banner")
    await expect(banner).to_contain_text("Batch on hold")
    reason = "Torque outside its alert range (deviation BS-2026-0001-DEV-001)"
    await expect(banner).to_contain_text(reason)
    await expect(banner).to_contain_text("Waiting for approval to continue: 0 of 1 approval")
    await expect(page.locator("#complete-step")).to_have_count(0)
    await expect(page.locator(".op-head__top [data-status]")).to_have_text("On hold")
    await assert_accessible(page, "a batch on hold")
    await screenshot(page, "operator-on-hold.png")

    # QA approves continuation elsewhere: the hold lifts live and the next step opens.
    [hold] = (await site.api.get(f"/batches/{batch_id}", "quinn")).body["holds"]
    approved = await site.api.post(
        f"/batches/{batch_id}/holds/{hold['id']}/approve",
        "quinn",
        {"signature": signature("quinn", "approved"), "comment": "Torque within spec after rework"},
    )
    assert approved.status == 200, approved.body
    await expect(step).to_have_attribute("data-step", "pack")
    await expect(banner).to_have_count(0)
    await expect(page.locator("#op-notices")).to_contain_text("Hold lifted by quinn")
    await page.locator("#complete-step").tap()
    await expect(page.get_by_role("heading", name="Batch completed")).to_be_visible()
    await watch.assert_clean()


async def test_the_console_and_the_phone_number_the_annotations_alike(
    page: Page, site: Site, watch: PageWatch, browser: Browser
) -> None:
    batch = await _phone_batch(site.api, start=True)
    await sign_in(page, "olivia", at=f"/#/operator/{batch['id']}")
    await wait_until_live(page)
    await page.locator("#share-live").tap()
    await expect(page.locator("[data-live]")).to_have_attribute("data-live", "live")
    desk = await browser.new_context(base_url=site.base_url, viewport=DESK)
    try:
        console = await desk.new_page()
        console_watch = await PageWatch.attach(console)
        await sign_in(console, "sam", at=f"/#/console/{batch['id']}")
        await wait_until_live(console)
        await expect(console.locator("#video-status")).to_have_text("Watching live.")
        # Sam draws an arrow, a circle and another arrow, then clears the first arrow.
        drawn = []
        for shape in ("arrow", "circle", "arrow"):
            answer = await site.api.post(
                f"/batches/{batch['id']}/annotations",
                "sam",
                {
                    "stream_id": batch["id"],
                    "frame_timestamp": 1.0,
                    "shape": shape,
                    "points": [[0.2, 0.2], [0.4, 0.4]],
                },
            )
            assert answer.status == 201, answer.body
            drawn.append(answer.body["id"])
        listed = console.locator(".console-annotations")
        await expect(listed.locator(".annotation-list__item")).to_have_count(3)
        cleared = await site.api.post(f"/batches/{batch['id']}/annotations/{drawn[0]}/clear", "sam")
        assert cleared.status == 200, cleared.body

        await expect(listed.locator(f'[data-annotation="{drawn[0]}"]')).to_contain_text("Cleared")
        name = listed.locator(f'[data-annotation="{drawn[0]}"] .annotation-list__name')
        await expect(name).to_have_text("Arrow")  # cleared: off the video, without a number
        phone_items = page.locator("#annotations-list li")
        await expect(phone_items).to_have_count(2)
        for annotation_id, (shape, number) in zip(
            drawn[1:], (("Circle", "1"), ("Arrow", "2")), strict=True
        ):
            name = listed.locator(f'[data-annotation="{annotation_id}"] .annotation-list__name')
            await expect(name).to_have_text(f"{shape} {number}")
            item = page.locator(f'#annotations-list [data-annotation="{annotation_id}"]')
            await expect(item.locator(".annotations__number")).to_have_text(number)
            await expect(item).to_contain_text(f"{shape} from Sam Supervisor")
            drawing = page.locator(f'.camera__overlay [data-annotation="{annotation_id}"]')
            await expect(drawing.locator(".annotation__number")).to_have_text(number)
        await console_watch.assert_clean()
    finally:
        await desk.close()
    await page.locator("#share-live").tap()
    await expect(page.locator("[data-live]")).to_have_attribute("data-live", "stopped")
    # With the camera off nothing is drawn where the picture was; the list still says them.
    await page.locator("#camera-toggle").tap()
    await expect(page.locator("[data-camera]")).to_have_attribute("data-camera", "off")
    await expect(page.locator(".camera__off")).to_be_visible()
    await expect(page.locator(".camera__overlay")).to_be_hidden()
    await expect(phone_items).to_have_count(2)
    await assert_accessible(page, "the camera off with annotations")
    await watch.assert_clean()

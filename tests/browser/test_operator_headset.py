"""The operator page in the headset layout (`#/operator?layout=headset`): a voice-driven
headset (RealWear and similar, 854 x 480) clicks what the operator says, so every control it
offers has a unique visible label, and a whole batch is worked by saying labels alone.

The browser is the phone tests' one, whose fake camera films the granulator's label.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect

from server.scans.resolver import qr_payload
from tests.api.fixtures import approved_procedure
from tests.browser.support import ARTIFACTS, PageWatch, Site, assert_accessible, sign_in
from tests.browser.test_operator_page import (  # noqa: F401 (fixtures)
    GRANULATOR,
    _phone_batch,
    browser,
    camera_video,
)
from tests.client import PASSWORDS

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
HEADSET = {"width": 854, "height": 480}

# What a speech layer offers: every shown, enabled control with the label it hears, the
# rendered text of the control (text clipped to nothing, as visually hidden text is, is not
# seen). Radio buttons, boxes and file inputs are said by their labels; text fields need a
# labelled button that puts the cursor in them. With a modal dialog open, only the dialog.
_SPOKEN_CONTROLS = """() => {
  const scope = document.querySelector("dialog[open]") ?? document.body;
  const shown = (element) => {
    const box = element.getBoundingClientRect();
    return box.width > 1 && box.height > 1 && box.bottom + scrollY > 0
      && getComputedStyle(element).visibility !== "hidden";
  };
  const spoken = (element) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    let text = "";
    while (walker.nextNode()) {
      const parent = walker.currentNode.parentElement;
      if (shown(parent) && !parent.closest('[aria-hidden="true"]')) text += walker.currentNode.data;
    }
    return text.replace(/\\s+/g, " ").trim();
  };
  const labelOf = (element) => {
    const own = spoken(element);
    if (own) return own;
    const ids = (element.getAttribute("aria-labelledby") ?? "").split(/\\s+/).filter(Boolean);
    const named = ids.map((id) => document.getElementById(id)).filter(Boolean);
    return named.map(spoken).join(" ").trim();
  };
  const controls = [];
  const problems = [];
  const selector = "a[href], button, summary, label, input, select, textarea, [role=button], "
    + "[tabindex]:not([tabindex='-1'])";
  for (const element of scope.querySelectorAll(selector)) {
    if (element.disabled || element.closest("[inert]")) continue;
    const name = element.id || element.outerHTML.slice(0, 80);
    if (element.matches("select")) {
      if (shown(element)) problems.push(`a dropdown needs a precise tap: ${name}`);
    } else if (element.matches("input[type=radio], input[type=checkbox], input[type=file]")) {
      if (element.getClientRects().length === 0) continue;  // not rendered (a hidden view)
      if (![...element.labels].some((label) => shown(label) && spoken(label))) {
        problems.push(`no visible label to say for ${name}`);
      }
    } else if (element.matches("input:not([type=hidden]), textarea")) {
      if (!shown(element)) continue;
      const trigger = scope.querySelector(`button[aria-controls="${element.id}"]`);
      if (!trigger || !shown(trigger)) problems.push(`no labelled button types into ${name}`);
    } else if (shown(element)) {
      controls.push([name, labelOf(element)]);
    }
  }
  return {controls, problems};
}"""


@pytest_asyncio.fixture(loop_scope="module")
async def context(browser: Browser, site: Site) -> AsyncIterator[BrowserContext]:  # noqa: F811
    """A voice-driven headset: an Android browser on a small landscape screen."""
    opened = await browser.new_context(
        base_url=site.base_url,
        viewport=HEADSET,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
        timezone_id="UTC",
    )
    yield opened
    await opened.close()


async def _spoken_labels(page: Page, what: str) -> list[str]:
    """The labels a speech layer hears on the page as it is: every one shown and unique."""
    found = await page.evaluate(_SPOKEN_CONTROLS)
    labels = [label for _, label in found["controls"]]
    unlabelled = [name for name, label in found["controls"] if not label]
    lowered = [label.lower() for label in labels]
    alike = sorted({label for label in labels if lowered.count(label.lower()) > 1})
    assert not found["problems"], f"on {what}: {found['problems']}"
    assert not unlabelled, f"controls with no visible label on {what}: {unlabelled}"
    assert not alike, f"labels said by more than one control on {what}: {alike}"
    return labels


async def _say(page: Page, label: str, what: str) -> None:
    """Click the control whose visible label is `label`, as the headset does when it hears it."""
    assert label in await _spoken_labels(page, what), f"nothing says {label!r} on {what}"
    control: Locator = (
        page.get_by_role("button", name=label, exact=True)
        .or_(page.get_by_role("link", name=label, exact=True))
        .or_(page.get_by_text(label, exact=True))
        .filter(visible=True)
    )
    await expect(control).to_have_count(1)
    await control.click()


async def _instruction_in_sight(page: Page) -> None:
    box = await page.locator("#active-step .op-step__instruction").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= HEADSET["height"], box


async def _screenshot(page: Page, name: str) -> None:
    """What the headset's screen shows (not the whole page: the instruction stays on top)."""
    await page.screenshot(path=str(ARTIFACTS / name))


async def test_a_whole_batch_is_worked_by_saying_visible_labels_on_a_headset(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await _phone_batch(site.api, start=False)
    await sign_in(page, "olivia", at="/#/operator?layout=headset")
    await expect(page.locator("html")).to_have_attribute("data-layout", "headset")
    await assert_accessible(page, "the headset's batch list")
    await _say(page, batch["batch_number"], "the batch list")
    await expect(page.get_by_role("heading", name=batch["batch_number"], level=1)).to_be_visible()
    assert page.url.endswith("?layout=headset"), page.url
    await _say(page, "Start batch", "a batch not started")

    # The scan: the camera view shows while it reads the label, then the step again.
    step = page.locator("#active-step")
    await expect(step).to_have_attribute("data-step", "scan_granulator")
    await assert_accessible(page, "the headset's scan step")
    await _screenshot(page, "headset-scan.png")
    await _say(page, "Scan granulator with the camera", "the scan step")
    await expect(page.locator("#input-granulator")).to_have_value(
        qr_payload("equipment", GRANULATOR)
    )
    await expect(page.locator("#input-granulator-found")).to_contain_text(f"Equipment {GRANULATOR}")
    await expect(page.locator(".camera-panel")).to_be_hidden()
    await _say(page, "Complete step", "the scan step")

    await expect(step).to_have_attribute("data-step", "checks")
    await _say(page, "Bowl is clean and dry", "the checklist")
    await _say(page, "Safety guard is fitted", "the checklist")
    await _say(page, "Complete step", "the checklist")

    # One view at a time, the instruction always on top: the camera, then the step again.
    await expect(step).to_have_attribute("data-step", "water")
    await _say(page, "Show camera", "the data entry step")
    await expect(page.locator(".camera-panel")).to_be_visible()
    await expect(step.locator("form")).to_be_hidden()
    await _instruction_in_sight(page)
    await _say(page, "Show step", "the camera view")
    await expect(page.locator(".camera-panel")).to_be_hidden()

    # Numbers are typed after a labelled button put the cursor in the field.
    await _say(page, "Type water added", "the data entry step")
    await page.keyboard.type("1.9")
    await expect(page.locator("#input-water_kg-judgement")).to_contain_text("Alert range")
    await _say(page, "reached", "the data entry step")
    await _say(page, "Type comment", "the data entry step")
    await page.keyboard.type("Humid day: granules checked by hand")
    await _instruction_in_sight(page)
    assert await page.evaluate("document.scrollingElement.scrollWidth") <= HEADSET["width"]
    await assert_accessible(page, "the headset's data entry step")
    await _screenshot(page, "headset-data-entry.png")
    await _say(page, "Complete step", "the data entry step")

    await expect(step).to_have_attribute("data-step", "granules_photo")
    await expect(page.locator("#op-notices")).to_contain_text("raised")
    await _say(page, "Take photo with the camera above", "the photo step")
    await expect(step.locator("[data-media]")).to_have_text("Photo stored")
    await _say(page, "Complete step", "the photo step")

    # The signature: the password is typed after "Type password", never spoken.
    await expect(step).to_have_attribute("data-step", "sign_off")
    await _say(page, "Sign and complete", "the sign-off step")
    dialog = page.get_by_role("dialog", name="Sign: Sign off the granulation")
    await expect(dialog).to_be_visible()
    await _say(page, "Type password", "the signature dialog")
    await page.keyboard.type(PASSWORDS["olivia"])
    await assert_accessible(page, "the headset's signature dialog")
    await _say(page, "Sign", "the signature dialog")
    await expect(page.get_by_role("heading", name="Batch completed")).to_be_visible()
    # Two links say "My batches" here: numbered, so each has a label of its own.
    await _spoken_labels(page, "the completed batch")
    await expect(page.get_by_role("link", name="My batches 2")).to_be_visible()
    await _say(page, "Show deviations", "the completed batch")
    await expect(page.locator("#op-deviations")).to_contain_text("Humid day")
    await _spoken_labels(page, "the deviations view")
    await _screenshot(page, "headset-completed.png")

    record = (await site.api.get(f"/batches/{batch['id']}", "quinn")).body
    assert record["status"] == "completed"
    steps = {s["step_id"]: s for s in record["steps"]}
    assert steps["scan_granulator"]["values"] == {"granulator": GRANULATOR}
    assert steps["checks"]["values"] == {"bowl_clean": True, "guard_fitted": True}
    assert steps["water"]["values"] == {"water_kg": 1.9, "endpoint": "reached"}
    assert steps["water"]["comment"] == "Humid day: granules checked by hand"
    [signature] = steps["sign_off"]["signatures"]
    assert (signature["username"], signature["meaning"]) == ("olivia", "performed")
    await watch.assert_clean()


async def test_the_layout_stays_on_the_operators_links_and_leaves_with_them(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await _phone_batch(site.api, start=True)
    await sign_in(page, "olivia", at=f"/#/operator/{batch['id']}?layout=headset")
    await expect(page.locator("#active-step")).to_have_attribute("data-step", "scan_granulator")
    await _say(page, "My batches", "the first step")
    await expect(page.get_by_role("heading", name="Run a batch")).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("data-layout", "headset")

    # The phone's page: no headset controls, no numbers, the layout gone.
    await page.goto(f"/#/operator/{batch['id']}")
    await expect(page.locator("#active-step")).to_have_attribute("data-step", "scan_granulator")
    await expect(page.locator("html")).not_to_have_attribute("data-layout", "headset")
    await expect(page.locator(".say-type:visible")).to_have_count(0)
    await expect(page.locator(".say-views")).to_have_count(0)
    await expect(page.locator(".say-number")).to_have_count(0)
    await watch.assert_clean()


async def test_choices_that_say_the_same_are_numbered_and_answered_by_their_numbers(
    page: Page, site: Site, watch: PageWatch
) -> None:
    await approved_procedure(site.api, "headset_line.yaml")
    body = {"procedure": "headset-line", "batch_number": "HL-2026-0001"}
    created = await site.api.post("/batches", "sam", body)
    assert created.status == 201, created.body
    batch_id = created.body["id"]
    assert (await site.api.post(f"/batches/{batch_id}/start", "olivia")).status == 200
    await sign_in(page, "olivia", at=f"/#/operator/{batch_id}?layout=headset")
    await expect(page.locator("#active-step")).to_have_attribute("data-step", "questions")

    labels = await _spoken_labels(page, "two yes/no questions")
    assert {"Yes 1", "No 1", "Yes 2", "No 2"} <= set(labels), labels
    await _say(page, "Yes 1", "two yes/no questions")
    await _say(page, "No 2", "two yes/no questions")
    await _say(page, "Complete step", "two yes/no questions")
    await expect(page.get_by_role("heading", name="Batch completed")).to_be_visible()
    record = (await site.api.get(f"/batches/{batch_id}", "quinn")).body
    [step] = record["steps"]
    assert step["values"] == {"bowl_empty": True, "lid_closed": False}
    await watch.assert_clean()

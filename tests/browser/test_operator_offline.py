"""The phone operator page without a connection: submissions wait in the outbox (IndexedDB),
survive a reload, and are sent in order, once, when the connection is back; a step completed
elsewhere meanwhile is shown as refused, not dropped."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.async_api import BrowserContext, Page, expect

from tests.api.fixtures import approved_procedure, complete, signature
from tests.browser.support import Site, assert_accessible, screenshot, sign_in
from tests.client import PASSWORDS, ApiClient

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
GRANULATOR = "EQ-GRAN-01"  # demo equipment: a clean high-shear granulator
COMMENT = "Humid day: granules checked by hand"
# The page's service worker is in control and keeps the viewer's files.
OFFLINE_READY = (
    "navigator.serviceWorker.controller !== null && document.documentElement.dataset.offlineReady"
)


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """The photo of the granules, as the phone's camera app gives it."""
    path = tmp_path / "granules.png"
    Image.new("RGB", (48, 32), (180, 150, 90)).save(path, format="PNG")
    return path


async def _started_batches(api: ApiClient, *numbers: str) -> list[dict[str, Any]]:
    await approved_procedure(api, "phone_line.yaml")
    batches = []
    for number in numbers:
        body = {"procedure": "phone-line", "batch_number": number, "parameters": {}}
        created = await api.post("/batches", "sam", body)
        assert created.status == 201, created.body
        started = await api.post(f"/batches/{created.body['id']}/start", "olivia")
        assert started.status == 200, started.body
        batches.append(created.body)
    return batches


async def _online_run(api: ApiClient, batch_id: str, photo: Path) -> None:
    """The same batch as the page does it, every step sent at once through the API."""
    image = await asyncio.to_thread(photo.read_bytes)
    stored = await api.call(
        "POST", "/media", "olivia", data=image, headers={"Content-Type": "image/png"}
    )
    assert stored.status == 201, stored.body
    steps = [
        ("scan_granulator", {"values": {"granulator": GRANULATOR}}),
        ("checks", {"values": {"bowl_clean": True, "guard_fitted": True}}),
        ("water", {"values": {"water_kg": 1.9, "endpoint": "reached"}, "comment": COMMENT}),
        ("granules_photo", {"values": {"granules": stored.body["id"]}}),
        ("sign_off", {"values": {}, "signature": signature("olivia", "performed")}),
    ]
    for step_id, body in steps:
        done = await complete(api, batch_id, step_id, **body)
        assert done.status == 200, (step_id, done.body)
    # The batch left the granulator dirty: cleaned, it is ready for the batch on the page.
    cleaned = await api.post(
        f"/equipment/{GRANULATOR}/status",
        "olivia",
        {"status": "clean", "reason": "cleaned", "signature": signature("olivia", "performed")},
    )
    assert cleaned.status == 200, cleaned.body


def _content(record: dict[str, Any]) -> dict[str, Any]:
    """What a batch record says, without what differs between two batches (ids, times)."""
    return {
        "status": record["status"],
        "steps": [
            {
                "step_id": step["step_id"],
                "state": step["state"],
                "values": step["values"],
                "sources": step["sources"],
                "calculated": step["calculated"],
                "comment": step["comment"],
                "completed_by": (step["completed_by"] or {}).get("username"),
                "revisions": [(r["name"], r["value"], r["revision"]) for r in step["history"]],
                "signatures": [(s["username"], s["meaning"]) for s in step["signatures"]],
            }
            for step in record["steps"]
        ],
        "deviations": [(d["step_id"], d["field"], d["title"]) for d in record["deviations"]],
    }


async def _open_batch(page: Page, batch: dict[str, Any]) -> None:
    """Sign in as olivia once the service worker controls the page, then open the batch."""
    await sign_in(page, "olivia", at="/#/operator")
    await page.wait_for_function(OFFLINE_READY)
    await page.goto(f"/#/operator/{batch['id']}")
    await expect(page.get_by_role("heading", name=batch["batch_number"], level=1)).to_be_visible()


async def test_a_batch_worked_offline_and_reloaded_is_recorded_as_an_online_run(
    page: Page, context: BrowserContext, site: Site, photo: Path
) -> None:
    on_page, by_api = await _started_batches(site.api, "PL-2026-0001", "PL-2026-0002")
    await _online_run(site.api, by_api["id"], photo)
    await _open_batch(page, on_page)
    step = page.locator("#active-step")
    complete_step = page.locator("#complete-step")
    waiting = page.locator("#op-outbox-waiting")

    # Online: the scan is judged by the server at once.
    await expect(step).to_have_attribute("data-step", "scan_granulator")
    await page.get_by_label("Granulator", exact=True).fill(GRANULATOR)
    await complete_step.click()
    await expect(step).to_have_attribute("data-step", "checks")
    await expect(page.locator("#op-outbox")).to_have_count(0)

    # The connection drops: the checklist is saved on the phone and the next step opens.
    await context.set_offline(True)
    await page.get_by_label("Bowl is clean and dry").check()
    await page.get_by_label("Safety guard is fitted").check()
    await complete_step.click()
    await expect(step).to_have_attribute("data-step", "water")
    await expect(waiting).to_contain_text("No connection")
    await expect(page.locator("#op-outbox-title")).to_have_text("Waiting to be sent (1)")

    # The procedure's limits are checked on the phone: refused here, as the server would.
    water = page.get_by_label("Water added (kg)")
    await water.fill("2.4")
    await page.get_by_label("reached", exact=True).check()
    await complete_step.click()
    await expect(page.locator("#input-water_kg-error")).to_have_text(
        "2.4 kg is above the maximum 2 kg"
    )
    await expect(water).to_be_focused()
    await expect(page.locator("#op-outbox-title")).to_have_text("Waiting to be sent (1)")
    # In the alert band, a comment is required before it is accepted.
    await water.fill("1.9")
    await complete_step.click()
    await expect(step).to_contain_text(
        "A comment must justify the values outside the alert limits: Water added"
    )
    await page.get_by_label("Comment").fill(COMMENT)
    await complete_step.click()
    await expect(step).to_have_attribute("data-step", "granules_photo")

    # A photo waits with the completion that uses it.
    await page.locator(".op-photo__file").set_input_files(photo)
    await expect(step.locator("[data-media]")).to_have_text("Photo kept, waiting to be sent")
    await complete_step.click()
    await expect(step).to_have_attribute("data-step", "sign_off")
    await expect(page.locator("#op-outbox-title")).to_have_text("Waiting to be sent (4)")

    # An e-signature is the server's to check: it waits for the connection.
    await page.get_by_role("button", name="Sign and complete").click()
    await expect(step.locator(".form-message")).to_contain_text("needs the server")

    # Reloaded without a connection: the page and everything waiting are still there.
    await page.reload()
    await expect(page.locator("#op-outbox-title")).to_have_text("Waiting to be sent (4)")
    await expect(step).to_have_attribute("data-step", "sign_off")
    await expect(page.locator('[data-waiting="water"]')).to_have_count(1)
    await expect(waiting).to_contain_text("opens a deviation for Water added when sent")
    await assert_accessible(page, "the operator page offline, with submissions waiting")
    await screenshot(page, "operator-offline.png")
    unsent = await site.api.get(f"/batches/{on_page['id']}", "quinn")
    assert unsent.body["current_step"] == "checks"

    # The connection is back: everything is sent, in order, and the server's record follows.
    await context.set_offline(False)
    await expect(page.locator("#op-outbox")).to_have_count(0, timeout=30_000)
    await expect(step).to_have_attribute("data-step", "sign_off")
    await page.get_by_role("button", name="Sign and complete").click()
    dialog = page.get_by_role("dialog", name="Sign: Sign off the granulation")
    await dialog.get_by_label("Password").fill(PASSWORDS["olivia"])
    await dialog.get_by_role("button", name="Sign", exact=True).click()
    await expect(page.get_by_role("heading", name="Batch completed")).to_be_visible()

    worked = (await site.api.get(f"/batches/{on_page['id']}", "quinn")).body
    online = (await site.api.get(f"/batches/{by_api['id']}", "quinn")).body
    assert _content(worked) == _content(online)
    assert len(worked["deviations"]) == 1


async def test_a_step_completed_elsewhere_while_offline_is_shown_as_not_recorded(
    page: Page, context: BrowserContext, site: Site
) -> None:
    [batch] = await _started_batches(site.api, "PL-2026-0003")
    await complete(site.api, batch["id"], "scan_granulator", values={"granulator": GRANULATOR})
    await _open_batch(page, batch)
    step = page.locator("#active-step")
    await expect(step).to_have_attribute("data-step", "checks")

    await context.set_offline(True)
    await page.get_by_label("Bowl is clean and dry").check()
    await page.get_by_label("Safety guard is fitted").check()
    await page.locator("#complete-step").click()
    await expect(page.locator("#op-outbox-title")).to_have_text("Waiting to be sent (1)")
    # Meanwhile, on another phone with a connection, Omar completes the same step.
    elsewhere = await complete(
        site.api, batch["id"], "checks", "omar", values={"bowl_clean": True, "guard_fitted": True}
    )
    assert elsewhere.status == 200, elsewhere.body

    await context.set_offline(False)
    refused = page.locator('#op-outbox [data-state="refused"]')
    await expect(refused).to_contain_text("Not recorded: Step “Pre-use checks”", timeout=30_000)
    await expect(page.locator("#op-outbox-title")).to_have_text("Not recorded (1)")
    await assert_accessible(page, "a submission the server refused")
    await expect(step).to_have_attribute("data-step", "water")

    # Kept across a reload until the operator says it was seen.
    await page.reload()
    await expect(refused).to_have_count(1)
    await page.get_by_role("button", name="Seen: Step “Pre-use checks” (PL-2026-0003)").click()
    await expect(page.locator("#op-outbox")).to_have_count(0)
    record = (await site.api.get(f"/batches/{batch['id']}", "quinn")).body
    checks = next(s for s in record["steps"] if s["step_id"] == "checks")
    assert checks["completed_by"]["username"] == "omar"
    assert [r["revision"] for r in checks["history"]] == [1, 1]


async def test_a_batch_started_offline_waits_and_is_started_when_the_connection_is_back(
    page: Page, context: BrowserContext, site: Site
) -> None:
    await approved_procedure(site.api, "phone_line.yaml")
    body = {"procedure": "phone-line", "batch_number": "PL-2026-0004", "parameters": {}}
    created = await site.api.post("/batches", "sam", body)
    assert created.status == 201, created.body
    batch = created.body
    await _open_batch(page, batch)
    await expect(page.get_by_role("heading", name="Not started yet")).to_be_visible()

    await context.set_offline(True)
    await page.get_by_role("button", name="Start batch").click()
    # Shown started, its first step open; the start waits to be sent.
    await expect(page.locator("#active-step")).to_have_attribute("data-step", "scan_granulator")
    await expect(page.locator("#op-outbox-title")).to_have_text("Waiting to be sent (1)")
    await expect(page.locator("#op-outbox-waiting")).to_contain_text("Start of batch PL-2026-0004")
    await page.reload()
    await expect(page.locator("#op-outbox-title")).to_have_text("Waiting to be sent (1)")
    unsent = await site.api.get(f"/batches/{batch['id']}", "quinn")
    assert unsent.body["status"] == "created"

    await context.set_offline(False)
    await expect(page.locator("#op-outbox")).to_have_count(0, timeout=30_000)
    await expect(page.locator("#active-step")).to_have_attribute("data-step", "scan_granulator")
    started = (await site.api.get(f"/batches/{batch['id']}", "quinn")).body
    assert started["status"] == "in_progress"
    assert started["current_step"] == "scan_granulator"

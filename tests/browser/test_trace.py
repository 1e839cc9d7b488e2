"""Traceability in the browser: lots forward to batches, batches back to supplier lots, the
recall impact of a lot, and dispense steps in the batch record."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Locator, Page, expect

from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.api.genealogy_chain import EXCIPIENT, four_level_chain
from tests.browser.support import (
    DASH,
    PageWatch,
    Site,
    assert_accessible,
    screenshot,
    sign_in,
)
from tests.client import ApiClient

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
# Resolves once the image has loaded (true, with its real size) or failed (false).
_LOADED = """(img) => img.complete ? img.naturalWidth > 0 : new Promise((resolve) => {
    img.addEventListener("load", () => resolve(img.naturalWidth > 0));
    img.addEventListener("error", () => resolve(false));
})"""
LOT = "MCC-2611-01"  # demo inventory: released microcrystalline cellulose (EXC-0101)
QUARANTINED = "MCC-2611-02"


async def _dispensed_batch(api: ApiClient) -> dict[str, Any]:
    """A dispense-line batch (4 kg) whose cellulose was weighed from LOT, the weight typed."""
    await approved_procedure(api, "dispense_line.yaml")
    batch = await started_batch(api, "dispense-line", batch_size_kg=4.0)
    scanned = await complete(api, batch["id"], "scan_balance", values={"balance_id": "EQ-BAL-01"})
    assert scanned.status == 200, scanned.body
    weighed = await complete(
        api,
        batch["id"],
        "weigh_mcc",
        values={"balance": "EQ-BAL-01", "lot": LOT, "mcc_kg": 2.0},
    )
    assert weighed.status == 200, weighed.body
    assert weighed.body["container"]["source"] == "manual"
    return {**batch, "container": weighed.body["container"]["number"]}


def _level(tree: Locator, depth: int) -> Locator:
    """The boxes of a trace tree `depth` levels below its root (0: the root itself)."""
    return tree.locator(":scope > li" + " > ul > li" * depth + " > .trace-node")


async def _label_loaded(image: Locator) -> bool:
    """The label image was fetched (with the session cookie) and decoded."""
    await expect(image).to_be_visible()
    return await image.evaluate(_LOADED)


async def test_a_lot_traces_forward_to_its_container_and_batch_with_the_recall_impact(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await _dispensed_batch(site.api)
    await sign_in(page, "olivia", at="/#/batches")
    await (
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Traceability").click()
    )
    await expect(page.get_by_role("heading", name="Traceability", level=1)).to_be_visible()

    # The lot list says each lot's status in words.
    released = page.locator(f'tr[data-lot="{LOT}"]')
    quarantined = page.locator(f'tr[data-lot="{QUARANTINED}"]')
    await expect(released.locator('[data-status="released"]')).to_have_text("Released")
    await expect(quarantined.locator('[data-status="quarantine"]')).to_have_text("Quarantine")
    await page.get_by_label("Status").select_option(label="Quarantine")
    await expect(page.locator("tr[data-lot]")).to_have_count(1)
    await expect(page.locator("tr[data-lot]")).to_have_attribute("data-lot", QUARANTINED)
    assert "status=quarantine" in page.url
    await assert_accessible(page, "the lot list")
    await screenshot(page, "trace-lots.png")

    # Search by keyboard: type the lot number and press Enter.
    await page.get_by_label("Lot, container or batch number").fill(LOT)
    await page.get_by_label("Lot, container or batch number").press("Enter")
    await expect(page).to_have_url(f"{site.base_url}/#/trace/lot/{LOT}")
    await expect(page.get_by_role("heading", name=f"Lot {LOT}", level=1)).to_be_focused()
    await expect(page.locator("#lot-status")).to_have_text("Released")

    tree = page.get_by_role("list", name=f"Forward trace of lot {LOT}")
    root = _level(tree, 0)
    await expect(root).to_have_attribute("data-kind", "lot")
    await expect(root).to_have_attribute("data-code", LOT)
    await expect(root).to_contain_text("Released")
    batch_node = _level(tree, 1)
    await expect(batch_node).to_have_attribute("data-kind", "batch")
    await expect(batch_node).to_contain_text("Dispense cellulose")
    container = _level(tree, 2)
    await expect(container).to_have_attribute("data-kind", "container")
    await expect(container).to_have_attribute("data-code", batch["container"])
    await expect(container).to_contain_text("2.0 kg")
    await expect(container.locator('[data-source="manual"]')).to_have_text("Typed (manual)")
    await expect(batch_node).to_have_attribute("data-code", batch["batch_number"])
    await expect(
        batch_node.get_by_role("link", name=batch["batch_number"], exact=True)
    ).to_have_attribute("href", f"#/batches/{batch['id']}")
    await expect(batch_node.locator('[data-status="in_progress"]')).to_have_text("In progress")

    # Lot and container labels: thumbnails that load, links to the PNG and the PDF.
    thumbnail = container.get_by_role("img", name=f"Label of container {batch['container']}")
    assert await _label_loaded(thumbnail)
    assert await _label_loaded(root.get_by_role("img", name=f"Label of lot {LOT}"))
    png = f"/api/v1/containers/{batch['container']}/label"
    await expect(container.locator("a.label-thumb__image")).to_have_attribute("href", png)
    pdf_name = f"PDF label of container {batch['container']} (opens in a new tab)"
    pdf_link = container.get_by_role("link", name=pdf_name, exact=True)
    await expect(pdf_link).to_have_attribute("href", f"{png}?format=pdf")
    pdf = await page.request.get(site.base_url + f"{png}?format=pdf")  # the browser's session
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

    # Recall impact: every batch the lot reached, with its status.
    recall = page.locator("#recall")
    await expect(recall.locator("#recall-summary")).to_have_text(f"Lot {LOT} reached 1 batch.")
    row = recall.locator(f'tbody tr[data-batch="{batch["id"]}"]')
    await expect(recall.locator("tbody tr")).to_have_count(1)
    await expect(row.get_by_role("link", name=batch["batch_number"], exact=True)).to_have_attribute(
        "href", f"#/batches/{batch['id']}"
    )
    await expect(row.locator('[data-status="in_progress"]')).to_have_text("In progress")
    await expect(row).to_contain_text("Dispense line for tests")
    await expect(row).to_contain_text("Dispense cellulose")
    await expect(row).not_to_contain_text("weigh_mcc")
    await assert_accessible(page, "the forward trace of a lot")
    shot = await screenshot(page, "trace.png")
    assert shot.stat().st_size > 10_000
    await page.set_viewport_size({"width": 390, "height": 844})  # a phone: no sideways scrolling
    await expect(batch_node).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await screenshot(page, "trace-phone.png")
    await page.set_viewport_size({"width": 1280, "height": 900})

    await row.get_by_role("link", name=batch["batch_number"], exact=True).click()
    await expect(page.get_by_role("heading", name=batch["batch_number"], level=1)).to_be_visible()
    await watch.assert_clean()


async def test_a_batch_traces_back_through_its_container_and_lot_to_the_supplier_lot(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await _dispensed_batch(site.api)
    await sign_in(page, "quinn", at=f"/#/trace/batch/{batch['batch_number']}")
    await expect(
        page.get_by_role("heading", name=f"Batch {batch['batch_number']}", level=1)
    ).to_be_visible()
    tree = page.get_by_role("list", name=f"Backward trace of batch {batch['batch_number']}")
    root = _level(tree, 0)
    await expect(root).to_have_attribute("data-kind", "batch")
    await expect(
        root.get_by_role("link", name=batch["batch_number"], exact=True)
    ).to_have_attribute("href", f"#/batches/{batch['id']}")
    container = _level(tree, 1)
    await expect(container).to_have_attribute("data-kind", "container")
    await expect(container).to_have_attribute("data-code", batch["container"])
    lot = _level(tree, 2)
    await expect(lot).to_have_attribute("data-kind", "lot")
    await expect(lot.get_by_role("link", name=LOT, exact=True)).to_have_attribute(
        "href", f"#/trace/lot/{LOT}"
    )
    await expect(lot.locator('[data-status="released"]')).to_have_text("Released")
    supplier = _level(tree, 3)
    await expect(supplier).to_have_attribute("data-kind", "supplier_lot")
    await expect(supplier).to_contain_text("Supplier lot")
    await expect(supplier).to_contain_text("Avicel Supply")
    await expect(supplier.locator('[data-status="received"]')).to_have_text("Received")
    await assert_accessible(page, "the backward trace of a batch")
    await screenshot(page, "trace-batch.png")

    # The lot leads on to its own forward trace.
    await lot.get_by_role("link", name=LOT, exact=True).click()
    await expect(page.get_by_role("heading", name=f"Lot {LOT}", level=1)).to_be_visible()
    await watch.assert_clean()


async def test_a_container_number_traces_its_lot_and_unknown_numbers_say_so(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await _dispensed_batch(site.api)
    await sign_in(page, "olivia", at="/#/trace")
    number = page.get_by_label("Lot, container or batch number")
    await page.get_by_role("button", name="Trace", exact=True).click()
    await expect(number).to_have_attribute("aria-invalid", "true")
    await expect(number).to_be_focused()

    await number.fill(batch["container"])
    await page.get_by_role("button", name="Trace", exact=True).click()
    await expect(page.get_by_role("heading", name=f"Lot {LOT}", level=1)).to_be_visible()
    await expect(page).to_have_url(f"{site.base_url}/#/trace/lot/{LOT}")
    await expect(page.get_by_text(f"Container {batch['container']} was dispensed")).to_be_visible()

    await page.get_by_label("Trace", exact=True).select_option(label="Batch (backward)")
    await page.get_by_label("Lot, container or batch number").fill("NO-SUCH-BATCH")
    await page.get_by_role("button", name="Trace", exact=True).click()
    await expect(page.locator("#trace-not-found")).to_have_text(
        "There is no batch “NO-SUCH-BATCH”. Check the batch number."
    )
    await page.goto("/#/trace/lot/NO-SUCH-LOT")
    await expect(page.locator("#trace-not-found")).to_contain_text(
        "There is no lot or container “NO-SUCH-LOT”."
    )
    await watch.assert_clean(
        (f"/api/v1/trace/lots/{batch['container']}", 404),
        (f"/api/v1/trace/lots/{batch['container']}/recall", 404),
        ("/api/v1/trace/batches/NO-SUCH-BATCH", 404),
        ("/api/v1/trace/lots/NO-SUCH-LOT", 404),
        ("/api/v1/trace/lots/NO-SUCH-LOT/recall", 404),
        ("/api/v1/containers/NO-SUCH-LOT", 404),
    )


async def test_the_batch_record_shows_a_dispense_with_its_manual_weight_flagged(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await _dispensed_batch(site.api)
    await sign_in(page, "quinn", at=f"/#/batches/{batch['id']}")
    weigh = page.locator('[data-step="weigh_mcc"]')
    await expect(weigh.locator(".step__kind")).to_have_text("Dispense")
    await expect(weigh.locator('[data-part="target"] .values__value')).to_contain_text(
        "2.000 kg ± 1.0 %"
    )
    await expect(weigh.locator('[data-part="target"]')).to_contain_text(
        f"Allowed 1.980{DASH}2.020 kg"
    )
    net = weigh.locator('tr[data-name="mcc_kg"]')
    await expect(net.locator(".value")).to_have_text("2.000 kg")
    await expect(net.locator('[data-source="manual"]')).to_have_text("Typed (manual)")
    await expect(net).to_contain_text("Typed by hand, not read from the balance.")
    await expect(net.get_by_role("img")).to_have_attribute(
        "aria-label", f"2.000 kg: within limits; hard limits 1.980{DASH}2.020 kg."
    )
    balance = weigh.locator('tr[data-name="mcc_kg_balance"]')
    await expect(balance).to_contain_text("EQ-BAL-01")
    await expect(balance.locator('[data-source="scan"]')).to_have_text("Scanned")
    lot = weigh.locator('tr[data-name="mcc_kg_lot"]')
    await expect(lot.get_by_role("link", name=LOT, exact=True)).to_have_attribute(
        "href", f"#/trace/lot/{LOT}"
    )
    await expect(lot.locator('[data-source="scan"]')).to_have_text("Scanned")
    container = weigh.locator('tr[data-name="mcc_kg_container"]')
    await expect(container).to_contain_text(batch["container"])
    label = f"/api/v1/containers/{batch['container']}/label"
    png_name = f"Label of container {batch['container']} (PNG, opens in a new tab)"
    pdf_name = f"PDF label of container {batch['container']} (opens in a new tab)"
    await expect(container.get_by_role("link", name=png_name, exact=True)).to_have_attribute(
        "href", label
    )
    await expect(container.get_by_role("link", name=pdf_name, exact=True)).to_have_attribute(
        "href", f"{label}?format=pdf"
    )
    png = await page.request.get(site.base_url + label)
    assert png.ok and (await png.body()).startswith(b"\x89PNG")

    # A scan step shows the code it resolved to, marked as scanned.
    scanned = page.locator('[data-step="scan_balance"] tr[data-name="balance_id"]')
    await expect(scanned.locator(".value")).to_have_text("EQ-BAL-01")
    await expect(scanned.locator('[data-source="scan"]')).to_have_text("Scanned")
    # The next step is not a dispense: no dispense table there.
    await expect(page.locator('[data-step="done"] table.dispense')).to_have_count(0)
    await assert_accessible(page, "the batch view with a dispense step")
    await screenshot(page, "batch-dispense.png")

    await lot.get_by_role("link", name=LOT, exact=True).click()
    await expect(page.get_by_role("heading", name=f"Lot {LOT}", level=1)).to_be_visible()
    await expect(page.locator("#recall-summary")).to_have_text(f"Lot {LOT} reached 1 batch.")

    # The procedure itself shows what the dispense will ask for, the target as its formula.
    await page.goto("/#/procedures/dispense-line/1")
    expected = page.locator('[data-step="weigh_mcc"] table.dispense')
    await expect(expected.locator('[data-part="target"] .values__value')).to_have_text(
        "batch_size_kg * 0.5 kg ± 1.0 %"
    )
    await expect(expected.locator('[data-part="lot"]')).to_contain_text("Scan a lot of EXC-0101")
    await watch.assert_clean()


async def test_the_recall_of_an_excipient_lot_is_drawn_four_batch_levels_deep(
    page: Page, site: Site, watch: PageWatch
) -> None:
    chain = await four_level_chain(site.api)
    await sign_in(page, "quinn", at=f"/#/trace/lot/{EXCIPIENT}")

    picture = page.get_by_role("img", name=f"Forward trace of lot {EXCIPIENT}, drawn", exact=False)
    await expect(picture).to_be_visible()
    await expect(picture).to_have_attribute("data-levels", "4")
    drawn = picture.locator(".trace-diagram__node")
    codes = [EXCIPIENT, chain.batches[0], chain.container, chain.batches[1], chain.lots[0]]
    codes += [chain.batches[2], chain.lots[1], chain.batches[3], chain.lots[2]]
    await expect(drawn).to_have_count(len(codes))
    for code in codes:
        await expect(picture.locator(f'[data-code="{code}"]')).to_have_count(1)
    assert await picture.locator(".trace-diagram__line").count() == len(codes) - 1
    # Boxes say what things are in words, and name steps by their titles, not their ids.
    granulation = picture.locator(f'[data-code="{chain.batches[1]}"]')
    await expect(granulation).to_contain_text("Chain granulation for tests")
    await expect(granulation).to_contain_text("used at Charge the granulator")
    await expect(picture.locator(f'[data-code="{chain.lots[0]}"]')).to_contain_text(
        "made at Discharge the blend"
    )
    await expect(picture).not_to_contain_text("load_blend")  # no step id anywhere
    # Each level sits to the right of the one above it.
    columns = [
        (await picture.locator(f'[data-code="{code}"]').bounding_box() or {})["x"] for code in codes
    ]
    assert columns == sorted(columns) and len(set(columns)) == len(codes)

    recall = page.locator("#recall")
    await expect(recall.locator("#recall-summary")).to_have_text(
        f"Lot {EXCIPIENT} reached 4 batches over 4 levels and 3 lots made from it."
    )
    levels = recall.locator("tbody tr")
    await expect(levels).to_have_count(4)
    for level, number in enumerate(chain.batches, start=1):
        row = recall.locator(f'tbody tr[data-level="{level}"]')
        await expect(row).to_contain_text(number)
    await expect(recall.locator("#recall-lots")).to_contain_text(chain.lots[2])
    await assert_accessible(page, "a four-level forward trace")
    await screenshot(page, "trace-four-levels.png")
    await watch.assert_clean()

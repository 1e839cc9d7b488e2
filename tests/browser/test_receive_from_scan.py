"""Receiving a lot in the browser, the form filled from the supplier's label: a scanner's GS1
text or a photo of the label fills material (by GTIN), supplier lot and expiry; a GTIN not in
the material master is said plainly and leaves the material to choose."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from media.gs1 import parse_gs1
from media.labels import LabelContent, render_label_png
from tests.browser.support import PageWatch, Site, assert_accessible, screenshot, sign_in

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
CELLULOSE = "EXC-0101"  # demo material master: GTIN 09506000130118
SUPPLIER_CODE = "(01)09506000130118(10)AV-9150(17)280630"


async def _receive_form(page: Page) -> None:
    await sign_in(page, "quinn", at="/#/trace")
    await expect(page.get_by_role("heading", name="Receive a lot")).to_be_visible()


async def test_a_scanned_supplier_code_fills_the_form_and_the_lot_arrives_in_quarantine(
    page: Page, site: Site, watch: PageWatch
) -> None:
    await _receive_form(page)
    await page.get_by_label("Scanner text").fill(SUPPLIER_CODE)
    await page.get_by_role("button", name="Read code").click()

    await expect(page.locator("#receive-scan-result")).to_contain_text("GTIN 09506000130118")
    form = page.get_by_role("form", name="Receive a lot")
    await expect(form.get_by_label("Material")).to_have_value(CELLULOSE)
    await expect(form.get_by_label("Supplier lot")).to_have_value("AV-9150")
    await expect(form.get_by_label("Expiry")).to_have_value("2028-06-30")
    await assert_accessible(page, "the lots page with a scanned label")

    await form.get_by_label("Supplier", exact=True).fill("Avicel Supply")
    await form.get_by_label("Quantity").fill("25")
    await form.get_by_role("button", name="Receive into quarantine").click()

    await expect(form.get_by_role("alert")).to_contain_text("received into quarantine")
    row = page.locator("tr[data-lot]", has_text="AV-9150")
    await expect(row).to_have_count(1)
    await expect(row.locator('[data-status="quarantine"]')).to_have_text("Quarantine")
    await expect(row).to_contain_text("Microcrystalline cellulose")
    await expect(form.get_by_label("Supplier lot")).to_have_value("")
    await watch.assert_clean()


async def test_a_gtin_not_in_the_material_master_is_said_and_leaves_the_material_empty(
    page: Page, site: Site, watch: PageWatch
) -> None:
    await _receive_form(page)
    await page.get_by_label("Scanner text").fill("(01)09506000139999(10)X-1(17)290101")
    await page.get_by_role("button", name="Read code").click()

    result = page.locator("#receive-scan-result")
    await expect(result).to_contain_text("GTIN 09506000139999 is not in the material master")
    form = page.get_by_role("form", name="Receive a lot")
    await expect(form.get_by_label("Material")).to_have_value("")
    await expect(form.get_by_label("Supplier lot")).to_have_value("X-1")
    await assert_accessible(page, "the lots page with an unknown GTIN")
    await screenshot(page, "receive-lot-unknown-gtin.png")
    await watch.assert_clean()


async def test_a_photo_of_the_label_fills_the_form(
    page: Page, site: Site, watch: PageWatch, tmp_path: Path
) -> None:
    label = tmp_path / "supplier.png"
    label.write_bytes(
        render_label_png(
            LabelContent(
                title="Microcrystalline cellulose",
                lines=(("Lot", "AV-9151"),),
                qr_text="https://supplier.example/AV-9151",
                gs1=parse_gs1("(01)09506000130118(17)280731(10)AV-9151"),
            )
        )
    )
    await _receive_form(page)
    await page.get_by_label("Photo of the label").set_input_files(str(label))

    form = page.get_by_role("form", name="Receive a lot")
    await expect(form.get_by_label("Supplier lot")).to_have_value("AV-9151")
    await expect(form.get_by_label("Material")).to_have_value(CELLULOSE)
    await expect(form.get_by_label("Expiry")).to_have_value("2028-07-31")
    await watch.assert_clean()

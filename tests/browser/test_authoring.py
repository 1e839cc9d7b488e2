"""Authoring in the browser: an author builds a three-operation procedure (a data entry with
limits, a calculation, a scan), sees the server's refusal at the field it concerns and fixes
it, and submits; QA approves it; the author revises a limit in a new draft, an edit saved
elsewhere meanwhile is not overwritten (412), and QA approves the revision after reviewing
its diff in the e-signature dialog; a batch of it runs to completion through the API. A sample
file edited in the browser exports as the file with only that edit."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from tests.api.fixtures import complete
from tests.browser.support import DASH, PageWatch, Site, assert_accessible, screenshot, sign_in
from tests.client import PASSWORDS

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
KEY = "stw-201-trial"
SAMPLES = Path(__file__).resolve().parents[2] / "procedures" / "samples"
# Saving waits for typing to stop; a refused save is a 422, an outdated one a 412.
REFUSED_SAVE = (f"/api/v1/procedures/{KEY}/versions/1", 422)
STALE_SAVE = (f"/api/v1/procedures/{KEY}/versions/2", 412)


def field(page: Page, pointer: str):  # type: ignore[no-untyped-def]
    """The editor's control for the value at a JSON pointer of the procedure."""
    return page.locator("#edit" + pointer.replace("/", "-"))


async def fill_in(page: Page, pointer: str, values: dict[str, str]) -> None:
    """Type `values` into the fields below `pointer`, by their pointers relative to it."""
    for name, value in values.items():
        await field(page, f"{pointer}/{name}").fill(value)


async def saved(page: Page) -> None:
    await expect(page.locator("#save-status")).to_contain_text("All changes saved")


async def add_operation(page: Page, index: int, title: str, kind: str) -> str:
    """Add operation `index` (the starter procedure has the first) with one step of `kind`;
    answers the step's pointer."""
    if index > 0:
        await page.locator("#add-operation").click()
    else:
        await page.locator("#tree-operation-0").click()
    await field(page, f"/operations/{index}/title").fill(title)
    await field(page, f"/operations/{index}/id").fill(title.lower().split()[0])
    await page.locator(f"#tree-step-{index}-0").click()
    step = f"/operations/{index}/steps/0"
    await field(page, f"{step}/kind").select_option(kind)
    return step


async def build_procedure(page: Page) -> None:
    await page.locator("#nav-authoring").click()
    await page.locator("#new-procedure-key").fill(KEY)
    await page.locator("#new-procedure-title").fill("STW-201 trial granulation")
    await page.locator("#create-procedure").click()
    await expect(page.locator("#editor-title")).to_be_visible()

    weigh = await add_operation(page, 0, "Weighing", "data_entry")
    await field(page, f"{weigh}/title").fill("Weigh the granules")
    await field(page, f"{weigh}/id").fill("weigh")
    value = f"{weigh}/inputs/0"
    await field(page, f"{value}/label").fill("Net weight")
    await field(page, f"{value}/name").fill("net_kg")
    await field(page, f"{value}/unit").fill("kg")
    for name, limit in (("min", "9"), ("alert_min", "9.5"), ("alert_max", "8"), ("max", "11")):
        await field(page, f"{value}/limits/{name}").fill(limit)
    # The alert band ends below where it starts: the server refuses, and says so at the limits.
    refusal = page.locator("#operations-0-steps-0-inputs-0-bar-error")
    await expect(refusal).to_contain_text("alert_max must not be below")
    await expect(page.locator("#tree-step-0-0")).to_contain_text("has problems")
    await field(page, f"{value}/limits/alert_max").fill("10.5")
    await saved(page)
    await expect(refusal).to_be_hidden()
    await expect(page.locator("#step-preview")).to_contain_text(f"Hard limits 9.0{DASH}11.0 kg")

    calc = await add_operation(page, 1, "Yield", "calculation")
    await fill_in(page, calc, {"title": "Yield", "id": "yield_calc"})
    await fill_in(
        page,
        f"{calc}/calculations/0",
        {"label": "Yield", "name": "yield_pct", "expression": "net_kg / 10 * 100", "unit": "%"},
    )

    scan = await add_operation(page, 2, "Granulation", "scan")
    await fill_in(page, scan, {"title": "Scan the granulator", "id": "scan_granulator"})
    await fill_in(
        page,
        f"{scan}/inputs/0",
        {"label": "Granulator", "name": "granulator_id", "expects/type": "high_shear_granulator"},
    )
    await saved(page)
    await expect(page.locator("#step-preview")).to_contain_text("Scan the high shear granulator")


async def switch_user(page: Page, username: str, *, at: str) -> None:
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_label("Username")).to_be_visible()
    await sign_in(page, username, at=at)


async def sign(page: Page, username: str) -> None:
    dialog = page.locator("#signature-dialog")
    await dialog.get_by_label("Password").fill(PASSWORDS[username])
    await dialog.get_by_role("button", name="Sign").click()
    await expect(dialog).to_have_count(0)


async def test_author_builds_qa_approves_and_a_batch_runs(
    site: Site, page: Page, watch: PageWatch
) -> None:
    await sign_in(page, "alex")
    await build_procedure(page)
    await page.locator("#tree-step-0-0").click()
    await assert_accessible(page, "the procedure editor")
    await page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays at the top
    await screenshot(page, "authoring-editor.png")
    await page.locator("#submit-draft").click()
    await expect(page.locator('tr[data-version="1"]')).to_contain_text("In review")
    await watch.assert_clean(REFUSED_SAVE)

    await switch_user(page, "quinn", at=f"/#/authoring/{KEY}")
    await page.locator("#approve-1").click()
    await expect(page.locator("#signature-dialog")).to_contain_text("first version")
    await sign(page, "quinn")
    await expect(page.locator('tr[data-version="1"]')).to_contain_text("Approved")

    # A revision: the author widens the alert band in a new draft.
    await switch_user(page, "alex", at=f"/#/authoring/{KEY}")
    await page.locator("#new-draft-1").click()
    await expect(page.locator("#editor-title")).to_be_visible()
    await page.locator("#tree-step-0-0").click()
    await field(page, "/operations/0/steps/0/inputs/0/limits/alert_max").fill("10.6")
    await page.locator("#tree-step-1-0").click()
    await field(page, "/operations/1/steps/0/calculations/0/expression").fill("net_kg / 10.0 * 100")
    # A new step, added at the end of the last operation, dragged first; the keyboard moves it too.
    await page.locator("#add-step-kind-2").select_option("instruction")
    await page.locator("#add-step-2").click()
    await field(page, "/operations/2/steps/1/title").fill("Charge the granulator")
    await field(page, "/operations/2/steps/1/id").fill("charge")
    await page.locator("#tree-step-2-1").drag_to(page.locator("#tree-step-2-0"))
    await expect(page.locator("#tree-step-2-0")).to_contain_text("Charge the granulator")
    await page.locator("#tree-step-2-0").focus()
    await page.keyboard.press("Alt+ArrowDown")
    await expect(page.locator("#tree-step-2-1")).to_be_focused()
    await expect(page.locator("#tree-step-2-1")).to_contain_text("Charge the granulator")
    await page.keyboard.press("Alt+ArrowUp")
    await expect(page.locator("#tree-step-2-0")).to_be_focused()
    await expect(page.locator("#tree-step-2-0")).to_contain_text("Charge the granulator")
    await saved(page)
    # A duplicate takes a new id and new value names, so it saves; removed again here.
    await page.locator('li[data-step="weigh"]').get_by_role("button", name="Duplicate").click()
    copy = page.locator('li[data-step="weigh_copy"]')
    await expect(copy).to_contain_text("Weigh the granules (copy)")
    await expect(field(page, "/operations/0/steps/1/inputs/0/name")).to_have_value("net_kg_2")
    await saved(page)
    await copy.get_by_role("button", name="Remove").click()
    await expect(copy).to_have_count(0)
    await saved(page)

    # Someone saves the draft elsewhere: this page's next save is refused, nothing overwritten.
    draft = await site.api.get(f"/procedures/{KEY}/versions/2", "alex")
    elsewhere = {**draft.body["definition"], "description": "Edited elsewhere"}
    put = await site.api.call(
        "PUT",
        f"/procedures/{KEY}/versions/2",
        "alex",
        json=elsewhere,
        headers={"If-Match": f'"{draft.body["revision"]}"'},
    )
    assert put.status == 200, put.body
    await page.locator("#tree-step-0-0").click()
    await field(page, "/operations/0/steps/0/instruction").fill("Tare the drum first.")
    await expect(page.locator("#draft-conflict")).to_contain_text("Someone else saved a change")
    await page.locator("#reload-draft").click()
    await page.locator("#tree-procedure").click()
    await expect(field(page, "/description")).to_have_value("Edited elsewhere")
    await page.locator("#submit-draft").click()
    await expect(page.locator('tr[data-version="2"]')).to_contain_text("In review")
    await watch.assert_clean(STALE_SAVE)

    # QA sends it back once; the author submits it again from the versions.
    await switch_user(page, "quinn", at=f"/#/authoring/{KEY}")
    await page.locator("#reject-2").click()
    await page.locator("#confirm-reason").fill("Say why the alert band is wider")
    await page.locator("#confirm-submit").click()
    await expect(page.locator('tr[data-version="2"]')).to_contain_text("Draft")
    await switch_user(page, "alex", at=f"/#/authoring/{KEY}")
    await expect(page.locator('tr[data-version="2"] .rejection')).to_contain_text(
        "Say why the alert band is wider"
    )
    await page.locator("#submit-2").click()
    await expect(page.locator('tr[data-version="2"]')).to_contain_text("In review")
    await expect(page.locator('tr[data-version="2"] .rejection')).to_have_count(0)
    # The author may approve procedures but not their own version: no Approve is offered.
    await expect(page.locator("#reject-2")).to_be_visible()
    await expect(page.locator("#approve-2")).to_have_count(0)
    await page.locator("#diff-2").click()
    await expect(page.locator("#version-diff")).to_be_visible()
    await expect(page.locator("#approve-version")).to_have_count(0)

    await switch_user(page, "quinn", at=f"/#/authoring/{KEY}")
    await page.locator("#diff-2").click()
    diff = page.locator("#version-diff")
    await expect(diff).to_contain_text("10.6")
    await expect(diff.locator('[data-step="charge"]')).to_contain_text("Added")
    await expect(diff.locator('[data-step="yield_calc"]')).to_contain_text("net_kg / 10.0 * 100")
    await assert_accessible(page, "the version diff")
    await screenshot(page, "authoring-diff.png")
    await page.locator("#approve-version").click()
    await expect(page.locator("#signature-dialog #version-diff")).to_contain_text("10.6")
    await sign(page, "quinn")
    await expect(page.locator('tr[data-version="2"]')).to_contain_text("Approved")
    await assert_accessible(page, "the versions")
    await watch.assert_clean()

    created = await site.api.post(
        "/batches", "sam", {"procedure": KEY, "batch_number": "TR-2026-0001", "parameters": {}}
    )
    assert created.status == 201, created.body
    assert created.body["procedure"]["version"] == 2
    batch_id = created.body["id"]
    assert (await site.api.post(f"/batches/{batch_id}/start", "olivia")).status == 200
    for step_id, values in (
        ("weigh", {"net_kg": 10.0}),
        ("yield_calc", {}),
        ("charge", {}),
        ("scan_granulator", {"granulator_id": "EQ-GRAN-01"}),
    ):
        done = await complete(site.api, batch_id, step_id, values=values)
        assert done.status == 200, (step_id, done.body)
    record = (await site.api.get(f"/batches/{batch_id}", "quinn")).body
    assert record["status"] == "completed"
    assert [step["state"] for step in record["steps"]] == ["completed"] * 4


async def test_a_sample_edited_in_the_browser_exports_as_the_file_with_only_that_edit(
    site: Site, page: Page, watch: PageWatch
) -> None:
    sample = SAMPLES / "granulation.yaml"
    source = sample.read_text()
    loaded = await site.api.post("/procedures", "alex", {"filename": sample.name, "source": source})
    assert loaded.status in (200, 201), loaded.body
    key, version = loaded.body["key"], loaded.body["version"]
    if loaded.body["status"] != "draft":  # the demo data holds it approved already
        new = {"from_version": version}
        draft = await site.api.post(f"/procedures/{key}/versions", "alex", new)
        assert draft.status == 201, draft.body
        version = draft.body["version"]

    await sign_in(page, "alex", at=f"/#/authoring/{key}/{version}")
    await page.locator("#tree-step-1-0").click()
    await field(page, "/operations/1/steps/0/inputs/0/limits/alert_max").fill("5.6")
    await saved(page)
    exported = await page.request.get(f"/api/v1/procedures/{key}/versions/{version}.yaml")
    assert exported.ok

    changed = [
        line
        for line in difflib.unified_diff(source.splitlines(), (await exported.text()).splitlines())
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        "-             limits: {min: 4.0, alert_min: 4.5, alert_max: 5.5, max: 6.0}}",
        "+             limits: {min: 4.0, alert_min: 4.5, alert_max: 5.6, max: 6.0}}",
    ]
    await watch.assert_clean()

"""A headset lists the files attached to the step in view and fetches one to open it."""

from __future__ import annotations

from pathlib import Path

import pytest

from headset_client import commands as c
from headset_client.exceptions import CommandInvalid, EntryRefused
from tests.api.fixtures import signature, submitted
from tests.api.test_step_media import PDF, attach, draft_of_approved, png
from tests.client import ApiClient
from tests.headset.support import headset, say


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_headset_lists_the_steps_media_and_fetches_the_pdf(
    api: ApiClient, tmp_path: Path
) -> None:
    await draft_of_approved(api)
    picture = await attach(api, png(), "image/png", caption="Level bubble centred")
    pdf = await attach(api, PDF, "application/pdf", caption="SOP-114")
    assert picture.status == pdf.status == 201
    [image_id, pdf_id] = [item["id"] for item in pdf.body["media"]]
    await submitted(api, "test-line", 2)
    approval = {"signature": signature("quinn", "approved")}
    approved = await api.post("/procedures/test-line/versions/2/approve", "quinn", approval)
    assert approved.status == 200, approved.body
    created = await api.post("/batches", "sam", {"procedure": "test-line", "batch_number": "HM-1"})
    assert created.status == 201, created.body

    base = str(api.client.make_url("/api/v1"))
    async with headset(base, tmp_path / "outbox.db", camera=False) as operator:
        await say(operator, "batch HM-1", "check all", "confirm")
        shown = await say(operator, "repeat")
        assert f"  media 1: Level bubble centred (picture) /api/v1/media/{image_id}" in shown
        assert f"  media 2: SOP-114 (PDF) /api/v1/media/{pdf_id}" in shown
        listed = await say(operator, "media")
        assert listed == [line for line in shown if line.startswith("  media")]
        [fetched] = await say(operator, "media 2")
        saved = tmp_path / "media" / f"{pdf_id}.pdf"
        assert fetched.startswith("media 2: SOP-114 saved to ") and saved.read_bytes() == PDF
        with pytest.raises(EntryRefused, match="has files 1 to 2"):
            await say(operator, "media 3")


def test_media_takes_a_file_number() -> None:
    assert c.parse_command("media") == c.Media(0)
    assert c.parse_command("media 2") == c.Media(2)
    with pytest.raises(CommandInvalid):
        c.parse_command("media two")

"""Files attached to the steps of a draft: stored in the media store, referenced by content
address in the definition, audited, and fixed once the version is approved."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

from PIL import Image

from server.config import Settings
from tests.api.fixtures import approved_procedure, audit_where, signature, started_batch, submitted
from tests.client import Answer, ApiClient

VERSIONS = "/procedures/test-line/versions"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(32)


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 60, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


async def attach(
    api: ApiClient,
    data: bytes,
    content_type: str,
    *,
    version: int = 2,
    step: str = "weigh",
    caption: str = "",
    headers: dict[str, str] | None = None,
) -> Answer:
    return await api.call(
        "POST",
        f"{VERSIONS}/{version}/steps/{step}/media",
        "alex",
        data=data,
        params={"caption": caption} if caption else None,
        headers={"Content-Type": content_type, **(headers or {})},
    )


async def draft_of_approved(api: ApiClient) -> dict[str, Any]:
    """test-line version 1 approved, version 2 a draft copied from it."""
    await approved_procedure(api, "test_line.yaml")
    answer = await api.post(VERSIONS, "alex", {"from_version": 1})
    assert answer.status == 201, answer.body
    return answer.body


def _step(definition: dict[str, Any], step_id: str) -> dict[str, Any]:
    steps = [step for operation in definition["operations"] for step in operation["steps"]]
    return next(step for step in steps if step["id"] == step_id)


async def test_an_author_attaches_a_picture_and_a_pdf_that_operators_then_see_and_fetch(
    api: ApiClient, settings: Settings
) -> None:
    await draft_of_approved(api)
    picture = await attach(api, png(), "image/png", caption="Balance level bubble")
    assert picture.status == 201, picture.body
    assert picture.body["revision"] == 2 and picture.headers["Etag"] == '"2"'
    [image] = picture.body["media"]
    assert (image["kind"], image["caption"], image["content_type"]) == (
        "image",
        "Balance level bubble",
        "image/png",
    )
    stale = await attach(api, PDF, "application/pdf", headers={"If-Match": '"1"'})
    assert stale.status == 412
    pdf = await attach(api, PDF, "application/pdf", caption="SOP-114", headers={"If-Match": '"2"'})
    assert pdf.status == 201, pdf.body
    assert [m["kind"] for m in pdf.body["media"]] == ["image", "pdf"]

    listed = await api.get(f"{VERSIONS}/2/steps/weigh/media", "olivia")
    assert listed.status == 200 and [m["caption"] for m in listed.body] == [
        "Balance level bubble",
        "SOP-114",
    ]
    assert listed.body[1]["size"] == len(PDF)
    async with api.client.get(
        listed.body[1]["url"], headers={"Authorization": f"Bearer {await api.token('olivia')}"}
    ) as fetched:
        assert fetched.status == 200 and fetched.content_type == "application/pdf"
        assert await fetched.read() == PDF
    yaml = await api.client.get(
        f"/api/v1{VERSIONS}/2.yaml", headers={"Authorization": f"Bearer {await api.token('alex')}"}
    )
    assert "SOP-114" in await yaml.text()

    # Approved, the version's references are fixed and every batch's step carries them.
    await submitted(api, "test-line", 2)
    approved = await api.post(
        f"{VERSIONS}/2/approve", "quinn", {"signature": signature("quinn", "approved")}
    )
    assert approved.status == 200, approved.body
    batch = await started_batch(api)
    weigh = next(step for step in batch["steps"] if step["step_id"] == "weigh")
    assert [m["id"] for m in weigh["definition"]["media"]] == [m["id"] for m in listed.body]

    actions = [
        entry["action"]
        for entry in await audit_where(settings, True)
        if entry["action"].startswith("procedure_version.media")
    ]
    assert actions == ["procedure_version.media_attached"] * 2


async def test_a_step_file_is_detached_with_an_audit_entry_and_steps_without_files_hash_as_before(
    api: ApiClient, settings: Settings
) -> None:
    draft = await draft_of_approved(api)
    original = (await api.get(f"{VERSIONS}/1", "alex")).body
    attached = await attach(api, MP4, "video/mp4", caption="How to tare")
    assert attached.status == 201, attached.body
    [video] = attached.body["media"]
    assert (video["kind"], video["content_type"], video["size"]) == ("video", "video/mp4", len(MP4))
    media_id = video["id"]
    again = await attach(api, MP4, "video/mp4")
    assert again.status == 409
    removed = await api.call("DELETE", f"{VERSIONS}/2/steps/weigh/media/{media_id}", "alex")
    assert removed.status == 200 and removed.body["media"] == [], removed.body
    now = (await api.get(f"{VERSIONS}/2", "alex")).body
    assert "media" not in _step(now["definition"], "weigh")
    assert now["content_hash"] == original["content_hash"] == draft["content_hash"]
    missing = await api.call("DELETE", f"{VERSIONS}/2/steps/weigh/media/{media_id}", "alex")
    assert missing.status == 404
    [detached] = [
        entry
        for entry in await audit_where(settings, True)
        if entry["action"] == "procedure_version.media_detached"
    ]
    assert "alex" in detached["actor"]


async def test_bad_uploads_are_refused_with_problems_and_change_nothing(
    api: ApiClient, aiohttp_client: Any, settings: Settings
) -> None:
    await draft_of_approved(api)
    wrong_type = await attach(api, b"hello", "text/plain")
    assert wrong_type.status == 415 and wrong_type.body["errors"][0]["field"] == "Content-Type"
    not_pdf = await attach(api, png(), "application/pdf")
    assert not_pdf.status == 422 and "not a application/pdf" in not_pdf.body["detail"]
    broken = await attach(api, png()[:40], "image/png")
    assert broken.status == 422
    empty = await attach(api, b"", "video/mp4")
    assert empty.status == 422
    control = await attach(api, PDF, "application/pdf", caption="SOP\x00")
    assert control.status == 422 and control.body["errors"][0]["field"] == "caption"
    unknown_step = await attach(api, PDF, "application/pdf", step="no_such_step")
    assert unknown_step.status == 404 and "no_such_step" in unknown_step.body["detail"]
    operator = await api.call(
        "POST",
        f"{VERSIONS}/2/steps/weigh/media",
        "olivia",
        data=PDF,
        headers={"Content-Type": "application/pdf"},
    )
    assert operator.status == 403
    approved = await attach(api, PDF, "application/pdf", version=1)
    assert approved.status == 409 and approved.body["current"] == {"status": "approved"}
    assert (await api.get(f"{VERSIONS}/2", "alex")).body["revision"] == 1

    from server.app import create_app

    small = dataclasses.replace(settings, max_upload_bytes=1024)
    tight = ApiClient(await aiohttp_client(create_app(small)))
    too_big = await attach(tight, PDF + b"0" * 2048, "application/pdf")
    assert too_big.status == 413
    assert too_big.headers["Content-Type"].startswith("application/problem+json")
    assert (await tight.get(f"{VERSIONS}/2/steps/weigh/media", "alex")).body == []


async def test_a_definition_may_not_attach_one_file_twice_or_as_the_wrong_kind(
    api: ApiClient,
) -> None:
    draft = await draft_of_approved(api)
    item = {"id": "a" * 64, "kind": "video", "content_type": "application/pdf", "caption": ""}
    definition = draft["definition"]
    _step(definition, "weigh")["media"] = [item, item]
    answer = await api.call(
        "PUT", f"{VERSIONS}/2", "alex", json=definition, headers={"If-Match": '"1"'}
    )
    assert answer.status == 422
    pointers = sorted(error["pointer"] for error in answer.body["errors"])
    assert pointers == [
        "/operations/0/steps/1/media/0/kind",
        "/operations/0/steps/1/media/1/id",
        "/operations/0/steps/1/media/1/kind",
    ]


async def test_a_definition_may_name_only_files_in_the_media_store(api: ApiClient) -> None:
    draft = await draft_of_approved(api)
    definition = draft["definition"]
    unknown = {"id": "b" * 64, "kind": "pdf", "content_type": "application/pdf"}
    _step(definition, "weigh")["media"] = [unknown]
    headers = {"If-Match": '"1"'}
    answer = await api.call("PUT", f"{VERSIONS}/2", "alex", json=definition, headers=headers)
    assert answer.status == 422
    assert [e["pointer"] for e in answer.body["errors"]] == ["/operations/0/steps/1/media/0/id"]
    attached = await attach(api, PDF, "application/pdf")
    [item] = attached.body["media"]
    named = {"id": item["id"], "kind": "pdf", "content_type": "application/pdf", "caption": "SOP"}
    _step(definition, "weigh")["media"] = [named]
    headers = {"If-Match": attached.headers["Etag"]}
    recaptioned = await api.call("PUT", f"{VERSIONS}/2", "alex", json=definition, headers=headers)
    assert recaptioned.status == 200, recaptioned.body
    assert _step(recaptioned.body["definition"], "weigh")["media"][0]["caption"] == "SOP"

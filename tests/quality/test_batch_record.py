"""The electronic batch record: JSON that validates against its published schema, and a PDF
that shows every value, signature, deviation and correction, matched to the JSON by SHA-256."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from itertools import pairwise
from pathlib import Path

import jsonschema
import pypdfium2
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import event

from server.batch_record.content import build_record
from server.batch_record.pdf import shown
from server.canonical import canonical_json, sha256_hex
from server.db.engine import open_database
from tests.api.compression_sample import (
    IPC_END,
    IPC_START,
    SETTINGS,
    cleared_compression_batch,
    ok,
)
from tests.api.fixtures import complete, signature
from tests.client import ApiClient
from tests.quality.quality_batch import as_rita, rita_signs, run_quality_batch, second_reviewer

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "batch-record"
REASON = "Transcription error: tester printout reads 84 N"
ALERT_COMMENT = "Speed raised to feed the hopper evenly; QA informed"


async def _raw(api: ApiClient, path: str, as_user: str) -> tuple[int, Mapping[str, str], bytes]:
    headers = {"Authorization": f"Bearer {await api.token(as_user)}"}
    async with api.client.get("/api/v1" + path, headers=headers) as resp:
        return resp.status, resp.headers.copy(), await resp.read()


async def attached_photo(api: ApiClient, batch_id: str) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 120, 200)).save(buffer, format="JPEG")
    stored = await api.call(
        "POST", "/media", "olivia", data=buffer.getvalue(), headers={"Content-Type": "image/jpeg"}
    )
    assert stored.status == 201, stored.body
    attached = await api.post(
        f"/batches/{batch_id}/attachments",
        "olivia",
        {"media_id": stored.body["id"], "caption": "Press settings panel"},
    )
    assert attached.status == 201, attached.body
    return stored.body["id"]


async def _compression_batch(api: ApiClient, batch_number: str) -> str:
    """The compression sample, run as the shop floor would: an alert value with its comment,
    a photo, signatures and a verification, and a correction after completion."""
    batch_id = await cleared_compression_batch(api, batch_number)
    await attached_photo(api, batch_id)
    alert = await ok(
        await complete(
            api,
            batch_id,
            "press_settings",
            values={**SETTINGS, "turret_speed_rpm": 37},
            comment=ALERT_COMMENT,
        )
    )
    assert alert["result"] == "alert"
    await ok(
        await complete(
            api, batch_id, "ipc_start", values=IPC_START, signature=signature("olivia", "performed")
        )
    )
    await ok(await complete(api, batch_id, "release_run", signature=signature("sam", "verified")))
    await ok(await complete(api, batch_id, "compress_batch"))
    await ok(await complete(api, batch_id, "ipc_end", values=IPC_END))
    await ok(
        await complete(
            api,
            batch_id,
            "compression_yield",
            values={"tablets_kg": 11.64, "rejects_kg": 0.30},
            signature=signature("olivia", "performed"),
        )
    )
    corrected = await api.post(
        f"/batches/{batch_id}/steps/ipc_end/correct",
        "olivia",
        {"values": {"end_hardness_n": 84}, "reason": REASON},
    )
    assert corrected.status == 200, corrected.body
    return batch_id


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _save_pages(pdf: bytes, name: str) -> int:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            page = document[index]
            page.render(scale=1.5).to_pil().save(ARTIFACTS / f"{name}-page-{index + 1}.png")
        return len(document)
    finally:
        document.close()


def _flat(text: str) -> str:
    return " ".join(text.split())


async def test_record_json_validates_and_the_pdf_shows_everything_with_the_json_hash(
    api: ApiClient, database_url: str
) -> None:
    backend = database_url.split(":")[0].split("+")[0]
    batch_id = await _compression_batch(api, f"STW101-C-REC-{backend}")

    json_status, json_headers, json_body = await _raw(
        api, f"/batches/{batch_id}/record.json", "quinn"
    )
    schema = (await api.get("/schemas/batch-record.json", "olivia")).body
    pdf_status, pdf_headers, pdf = await _raw(api, f"/batches/{batch_id}/record.pdf", "quinn")

    assert json_status == 200 and pdf_status == 200
    record = json.loads(json_body)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(record, schema, cls=jsonschema.Draft202012Validator)
    sha = sha256_hex(canonical_json(record))
    assert sha256_hex(json_body.decode()) == sha and json_headers["ETag"] == f'"{sha}"'
    assert pdf_headers["Content-Type"] == "application/pdf"
    assert pdf_headers["Content-Disposition"] == (
        f'attachment; filename="batch-record-{record["header"]["batch_number"]}.pdf"'
    )

    pages = _save_pages(pdf, backend)
    text = _pdf_text(pdf)
    assert text.count(sha) == pages  # in every footer
    assert text.count("NOT RELEASED — status completed") == pages
    assert f"page {pages} of {pages}" in text
    header = record["header"]
    for shown_in_header in (
        header["batch_number"],
        header["procedure_key"],
        header["content_hash"],
    ):
        assert shown_in_header in text

    steps = {step["step_id"]: step for step in record["steps"]}
    for step in record["steps"]:
        for value in step["values"]:
            for revision in value["revisions"]:
                assert _flat(shown(revision["value"])) in text, (step["step_id"], value["name"])
        for signed in step["signatures"]:
            assert _flat(signed["manifestation"]) in text
    press = steps["press_settings"]
    speed = next(v for v in press["values"] if v["name"] == "turret_speed_rpm")
    assert speed["alert"] is True and press["result"] == "alert"
    assert ALERT_COMMENT in text
    meanings = [s["manifestation"].rsplit(" — ", 1)[1] for s in record["signatures"]]
    assert {"performed", "verified"} <= set(meanings)
    assert "Sam" in steps["release_run"]["signatures"][0]["full_name"]
    assert " UTC — verified" in text

    [correction] = steps["ipc_end"]["corrections"]
    assert (correction["old"], correction["new"], correction["reason"]) == (82, 84, REASON)
    assert "Changed after first entry" in text and REASON in text
    assert f"end_hardness_n 82 84 {correction['by']['full_name']}" in text

    assert [d["kind"] for d in record["deviations"]] == [
        "alert_limit",
        "correction_after_completion",
    ]
    for deviation in record["deviations"]:
        assert deviation["number"] in text
        assert deviation["history"][0]["action"] == "deviation.opened"
    [photo] = record["attachments"]
    assert photo["media_type"] == "image/jpeg" and photo["step_id"] == "press_settings"
    assert photo["sha256"] in text
    assert "Appendix: audit trail of the batch" in text
    assert len(record["audit_trail"]) > 10
    # The batch's own chain, whole: every link holds, and it ends at the head the server reports.
    chain = sorted(
        (e for e in record["audit_trail"] if e["chain"] == f"batch:{batch_id}"),
        key=lambda entry: entry["chain_seq"],
    )
    assert [e["chain_seq"] for e in chain] == list(range(1, len(chain) + 1))
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in pairwise(chain))
    head = (await api.get(f"/batches/{batch_id}/audit/verify", "quinn")).body["head"]
    assert record["audit_chain"] == {"chain": f"batch:{batch_id}", **head}
    assert (head["chain_seq"], head["hash"]) == (chain[-1]["chain_seq"], chain[-1]["hash"])


async def test_record_of_an_unknown_batch_is_404(api: ApiClient) -> None:
    json_answer = await api.get("/batches/no-such-batch/record.json", "quinn")
    pdf_status, _, _ = await _raw(api, "/batches/no-such-batch/record.pdf", "quinn")

    assert json_answer.status == 404
    assert pdf_status == 404


async def test_the_record_is_read_with_a_fixed_number_of_queries(
    api: ApiClient, database_url: str
) -> None:
    batch_id = await _compression_batch(api, "STW101-C-QUERIES")
    database = open_database(database_url)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(database.reader.sync_engine, "before_cursor_execute", count)
    try:
        async with database.sessions(readonly=True)() as session, session.begin():
            record = await build_record(session, batch_id)
    finally:
        await database.dispose()

    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(record.steps) == 8 and sum(len(s.values) for s in record.steps) > 20
    # One query per kind of thing (batch, steps, values, authors, performers, procedure,
    # signatures, deviations, holds, approvals, marks, trail, people, attachments, uses,
    # containers, redlines: 17 kinds, a few in two statements), never one per step.
    assert len(selects) <= 21, selects


async def test_a_released_batch_record_carries_hold_approval_deviation_closure_review_and_release(
    api: ApiClient,
) -> None:
    batch_id = await run_quality_batch(api)
    hold = (await api.get(f"/batches/{batch_id}", "olivia")).body["holds"][-1]
    approved = await api.post(
        f"/batches/{batch_id}/holds/{hold['id']}/approve",
        "sam",
        {"signature": signature("sam", "approved"), "comment": "Torque explained by warm motor"},
    )
    assert approved.status == 200, approved.body
    await ok(await complete(api, batch_id, "rest", "olivia"))
    await ok(
        await complete(api, batch_id, "check_water", "sam", signature=signature("sam", "verified"))
    )
    rita = await second_reviewer(api)
    for deviation in (await api.get(f"/deviations?batch_id={batch_id}", "quinn")).body:
        facts = {"impact": "None on quality", "root_cause": "Explained in the comment"}
        path = f"/deviations/{deviation['id']}"
        assert (await as_rita(api, rita, "PATCH", path, facts)).status == 200
        closing = {"conclusion": "No impact on the batch", "signature": rita_signs("approved")}
        assert (await as_rita(api, rita, "POST", f"{path}/close", closing)).status == 200
    review = (await as_rita(api, rita, "GET", f"/batches/{batch_id}/review")).body
    for item in review["items"]:
        mark = {"signature": rita_signs("reviewed"), "comment": "Seen"}
        path = f"/batches/{batch_id}/review/{item['id']}"
        assert (await as_rita(api, rita, "POST", path, mark)).status == 200
    decision = {"decision": "released", "signature": rita_signs("released"), "comment": "Fit"}
    released = await as_rita(api, rita, "POST", f"/batches/{batch_id}/release", decision)
    assert released.status == 200, released.body

    _, _, json_body = await _raw(api, f"/batches/{batch_id}/record.json", "sam")
    _, _, pdf = await _raw(api, f"/batches/{batch_id}/record.pdf", "sam")
    schema = (await api.get("/schemas/batch-record.json", "sam")).body

    record = json.loads(json_body)
    jsonschema.validate(record, schema, cls=jsonschema.Draft202012Validator)
    pages = _save_pages(pdf, "released")
    text = _pdf_text(pdf)
    assert record["header"]["released"] is True and record["header"]["status"] == "released"
    assert "NOT RELEASED" not in text and text.count(sha256_hex(json_body.decode())) == pages
    [approval] = record["holds"][0]["approvals"]
    assert approval["by"]["username"] == "sam" and approval["signature"]["meaning"] == "approved"
    assert _flat(approval["signature"]["manifestation"]) in text
    assert "Torque explained by warm motor" in text
    assert record["deviations"] and all(d["status"] == "closed" for d in record["deviations"])
    for deviation in record["deviations"]:
        assert deviation["conclusion"] == "No impact on the batch"
        assert deviation["closed_by"]["username"] == "rita" and len(deviation["history"]) >= 3
    assert "No impact on the batch" in text and "None on quality" in text
    assert len(record["review"]) == len(review["items"])
    for mark in record["review"]:
        assert mark["signature"]["meaning"] == "reviewed"
        assert _flat(mark["signature"]["manifestation"]) in text
    release = record["decision"]
    assert release["decision"] == "released" and release["comment"] == "Fit"
    assert release["signature"]["full_name"] == "Rita Reviewer"
    assert f"Decision: RELEASED — {_flat(release['signature']['manifestation'])}" in text

"""Loading procedure files as drafts, approving them, and pinning versions to batches."""

from __future__ import annotations

from tests.api.fixtures import (
    DATA,
    approved_procedure,
    complete,
    signature,
    started_batch,
    submitted,
)
from tests.client import ApiClient


def _source() -> str:
    return (DATA / "test_line.yaml").read_text()


async def _load(api: ApiClient, source: str, filename: str = "test_line.yaml") -> dict:
    answer = await api.post("/procedures", "alex", {"filename": filename, "source": source})
    assert answer.status == 201, answer.body
    return answer.body


async def test_loading_creates_a_draft_identified_by_number_and_hash(api: ApiClient) -> None:
    draft = await _load(api, _source())
    assert (draft["key"], draft["version"], draft["status"]) == ("test-line", 1, "draft")
    assert len(draft["content_hash"]) == 64
    again = await _load(api, _source())
    assert again["version"] == 1 and again["content_hash"] == draft["content_hash"]
    listed = {p["key"]: p for p in (await api.get("/procedures", "olivia")).body}
    assert [v["status"] for v in listed["test-line"]["versions"]] == ["draft"]


async def test_invalid_file_names_file_path_and_line_and_stores_nothing(api: ApiClient) -> None:
    broken = _source().replace(
        "limits: {min: 9.0, max: 11.0, alert_min: 9.5",
        "limits: {min: 9.0, max: 11.0, alert_min: 8.5",
    )
    answer = await api.post("/procedures", "alex", {"filename": "broken.yaml", "source": broken})
    assert answer.status == 422
    [error] = answer.body["errors"]
    assert error["file"] == "broken.yaml"
    assert error["field"].startswith("operations[0].steps[1].inputs[0].limits")
    assert (
        error["line"]
        == broken.splitlines().index(
            next(line for line in broken.splitlines() if "alert_min: 8.5" in line)
        )
        + 1
    )
    assert "test-line" not in {p["key"] for p in (await api.get("/procedures", "alex")).body}


async def test_author_cannot_approve_and_approval_needs_review_and_a_signature(
    api: ApiClient,
) -> None:
    await _load(api, _source())
    straight = await api.post(
        "/procedures/test-line/versions/1/approve",
        "quinn",
        {"signature": signature("quinn", "approved")},
    )
    assert straight.status == 409 and straight.body["current"] == {"status": "draft"}
    await submitted(api, "test-line", 1)
    own = await api.post(
        "/procedures/test-line/versions/1/approve",
        "alex",
        {"signature": signature("alex", "approved")},
    )
    assert own.status == 403
    wrong_meaning = await api.post(
        "/procedures/test-line/versions/1/approve",
        "quinn",
        {"signature": signature("quinn", "reviewed")},
    )
    assert wrong_meaning.status == 422
    approved = await api.post(
        "/procedures/test-line/versions/1/approve",
        "quinn",
        {"signature": signature("quinn", "approved")},
    )
    assert approved.status == 200 and approved.body["status"] == "approved"


async def test_draft_cannot_be_used_for_a_batch(api: ApiClient) -> None:
    await _load(api, _source())
    answer = await api.post("/batches", "sam", {"procedure": "test-line", "batch_number": "B-1"})
    assert answer.status == 409 and "no approved version" in answer.body["detail"]


async def test_editing_an_approved_version_opens_a_new_draft_and_running_batches_keep_theirs(
    api: ApiClient,
) -> None:
    first = await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    edited = await _load(
        api, _source().replace("title: Weigh the granules", "title: Weigh granules")
    )
    assert (edited["version"], edited["status"]) == (2, "draft")
    await submitted(api, "test-line", 2)
    approved = await api.post(
        "/procedures/test-line/versions/2/approve",
        "quinn",
        {"signature": signature("quinn", "approved")},
    )
    assert approved.status == 200
    versions = (await api.get("/procedures/test-line/versions/1", "sam")).body
    assert versions["status"] == "retired"
    record = (await api.get(f"/batches/{batch['id']}", "olivia")).body
    assert record["procedure"]["version"] == 1
    assert record["procedure"]["content_hash"] == first["content_hash"]
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    weigh = next(
        s
        for s in (await api.get(f"/batches/{batch['id']}", "olivia")).body["steps"]
        if s["step_id"] == "weigh"
    )
    assert weigh["title"] == "Weigh the granules"
    newer = await api.post("/batches", "sam", {"procedure": "test-line", "batch_number": "B-NEW"})
    assert newer.body["procedure"]["version"] == 2

"""Authoring procedures through the API: drafts edited as JSON, review, approval, retirement."""

from __future__ import annotations

import copy
import difflib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from server.audit.models import AuditEntry
from server.config import Settings
from server.library.models import Procedure, ProcedureVersion
from tests.api.fixtures import (
    DATA,
    approved_procedure,
    audit_where,
    complete,
    signature,
    started_batch,
    submitted,
)
from tests.client import Answer, ApiClient

VERSIONS = "/procedures/test-line/versions"


async def _put(api: ApiClient, version: int, definition: Any, revision: Any, user: str = "alex"):
    headers = {} if revision is None else {"If-Match": f'"{revision}"'}
    return await api.call("PUT", f"{VERSIONS}/{version}", user, json=definition, headers=headers)


async def _draft_of_approved(api: ApiClient) -> dict[str, Any]:
    """test-line version 1 approved, and version 2 a draft copied from it by alex."""
    await approved_procedure(api, "test_line.yaml")
    answer = await api.post(VERSIONS, "alex", {"from_version": 1})
    assert answer.status == 201, answer.body
    return answer.body


def _etag(answer: Answer) -> str:
    """The ETag header (aiohttp writes it `Etag`; header names are case-insensitive)."""
    return {name.lower(): value for name, value in answer.headers.items()}["etag"]


def _with(definition: dict[str, Any], edit: Any) -> dict[str, Any]:
    changed = copy.deepcopy(definition)
    edit(changed)
    return changed


def _weigh(definition: dict[str, Any]) -> dict[str, Any]:
    return definition["operations"][0]["steps"][1]


async def _approve(api: ApiClient, version: int, user: str = "quinn") -> Answer:
    return await api.post(
        f"{VERSIONS}/{version}/approve", user, {"signature": signature(user, "approved")}
    )


async def _audit(settings: Settings, key: str, version: int) -> list[dict[str, Any]]:
    """The audit trail of one procedure version."""
    version_id = (
        select(ProcedureVersion.id)
        .join(Procedure)
        .where(Procedure.key == key, ProcedureVersion.version == version)
    )
    return await audit_where(settings, AuditEntry.entity_id.in_(version_id.scalar_subquery()))


async def test_a_new_key_starts_as_a_valid_starter_draft_with_its_revision_as_etag(
    api: ApiClient,
) -> None:
    created = await api.post("/procedures/room-cleaning/versions", "alex", {"title": "Room"})
    assert created.status == 201, created.body
    assert (created.body["version"], created.body["status"]) == (1, "draft")
    assert created.body["revision"] == 1 and _etag(created) == '"1"'
    assert created.body["authors"] == ["alex"]
    [operation] = created.body["definition"]["operations"]
    assert operation["steps"][0]["kind"] == "instruction"
    fetched = await api.get("/procedures/room-cleaning/versions/1", "olivia")
    assert _etag(fetched) == '"1"' and fetched.body["title"] == "Room"
    again = await api.post("/procedures/room-cleaning/versions", "alex", {})
    assert again.status == 409 and again.body["current"] == {"version": 1, "status": "draft"}
    operator = await api.post("/procedures/other/versions", "olivia", {})
    assert operator.status == 403


async def test_editing_a_draft_needs_its_current_revision_and_a_stale_one_saves_nothing(
    api: ApiClient, settings: Settings
) -> None:
    draft = await _draft_of_approved(api)
    assert (
        draft["version"] == 2
        and draft["definition"] == (await api.get(f"{VERSIONS}/1", "alex")).body["definition"]
    )

    def retitle(title: str) -> Any:
        return _with(draft["definition"], lambda d: _weigh(d).update(title=title))

    missing = await _put(api, 2, retitle("No precondition"), None)
    assert missing.status == 428
    first = await _put(api, 2, retitle("Weigh the dried granules"), 1)
    assert first.status == 200, first.body
    assert first.body["revision"] == 2 and _etag(first) == '"2"'
    stale = await _put(api, 2, retitle("Someone else's title"), 1, user="alex")
    assert stale.status == 412 and stale.body["current"] == {"revision": 2}
    now = (await api.get(f"{VERSIONS}/2", "alex")).body
    assert _weigh(now["definition"])["title"] == "Weigh the dried granules"
    assert now["revision"] == 2
    edits = [
        e
        for e in await _audit(settings, "test-line", 2)
        if e["action"] == "procedure_version.edited"
    ]
    assert len(edits) == 1
    assert edits[0]["new"]["revision"] == 2
    assert edits[0]["new"]["changes"] == {"steps_changed": ["weigh"]}
    [change] = edits[0]["new"]["diff"]["steps"]["changed"][0]["changes"]
    assert (change["field"], change["old"], change["new"]) == (
        "title",
        "Weigh the granules",
        "Weigh the dried granules",
    )
    assert "alex" in edits[0]["actor"]


async def test_an_invalid_definition_lists_each_problem_at_its_json_pointer(
    api: ApiClient,
) -> None:
    draft = await _draft_of_approved(api)

    def break_it(d: dict[str, Any]) -> None:
        _weigh(d)["inputs"][0]["limits"]["alert_min"] = 8.5  # below min
        d["operations"][1]["steps"][1]["calculations"][0]["expression"] = "output_kg /"
        d["operations"][0]["steps"][0]["colour"] = "red"

    answer = await _put(api, 2, _with(draft["definition"], break_it), 1)
    assert answer.status == 422, answer.body
    problems = {error["pointer"]: error["message"] for error in answer.body["errors"]}
    assert "alert_min must not be below min" in problems["/operations/0/steps/1/inputs/0/limits"]
    assert "invalid expression" in problems["/operations/1/steps/1/calculations/0/expression"]
    assert problems["/operations/0/steps/0/colour"] == "unknown field"
    unchanged = (await api.get(f"{VERSIONS}/2", "alex")).body
    assert unchanged["revision"] == 1 and unchanged["definition"] == draft["definition"]
    other_key = _with(draft["definition"], lambda d: d.update(key="another-line"))
    renamed = await _put(api, 2, other_key, 1)
    assert renamed.status == 422 and renamed.body["errors"][0]["pointer"] == "/key"
    checked = await api.post("/procedures/validate", "alex", _with(draft["definition"], break_it))
    assert checked.status == 200
    assert checked.body["valid"] is False
    assert {e["pointer"] for e in checked.body["errors"]} == set(problems)
    fine = await api.post("/procedures/validate", "alex", draft["definition"])
    assert fine.body == {"valid": True, "errors": []}


async def test_diff_between_versions_names_changed_limits_and_added_steps(api: ApiClient) -> None:
    draft = await _draft_of_approved(api)

    def edit(d: dict[str, Any]) -> None:
        _weigh(d)["inputs"][0]["limits"]["alert_max"] = 10.8
        d["operations"][1]["steps"].insert(
            0, {"id": "label_drum", "title": "Label the drum", "kind": "instruction"}
        )

    assert (await _put(api, 2, _with(draft["definition"], edit), 1)).status == 200
    diff = await api.get(f"{VERSIONS}/2/diff?against=1", "quinn")
    assert diff.status == 200, diff.body
    assert (diff.body["version"], diff.body["against"], diff.body["unchanged"]) == (2, 1, False)
    [added] = diff.body["steps"]["added"]
    assert added == {"id": "label_drum", "title": "Label the drum",
                     "at": {"operation": "finish", "index": 0}}  # fmt: skip
    [changed] = diff.body["steps"]["changed"]
    assert changed["id"] == "weigh"
    assert changed["changes"] == [
        {
            "field": "inputs.net_kg.limits.alert_max",
            "pointer": "/operations/0/steps/1/inputs/0/limits/alert_max",
            "kind": "limit",
            "old": 10.5,
            "new": 10.8,
        }
    ]
    default = await api.get(f"{VERSIONS}/2/diff", "quinn")
    assert default.body["against"] == 1
    assert (await api.get(f"{VERSIONS}/1/diff", "quinn")).status == 422
    assert (await api.get(f"{VERSIONS}/2/diff?against=x", "quinn")).status == 422
    assert (await api.get(f"{VERSIONS}/2/diff?against=9", "quinn")).status == 404


async def test_review_refuses_authors_keeps_the_diff_with_the_approval_and_freezes_it(
    api: ApiClient, settings: Settings
) -> None:
    draft = await _draft_of_approved(api)
    edited = _with(draft["definition"], lambda d: _weigh(d).update(title="Weigh again"))
    assert (await _put(api, 2, edited, 1)).status == 200
    assert (await _approve(api, 2)).status == 409  # a draft is not in review
    sent = await api.post(f"{VERSIONS}/2/submit", "alex")
    assert sent.status == 200 and sent.body["status"] == "in_review"
    assert (await _put(api, 2, draft["definition"], 2)).status == 409  # frozen in review
    own = await _approve(api, 2, user="alex")
    assert own.status == 403
    rejected = await api.post(f"{VERSIONS}/2/reject", "quinn", {"reason": "Say why"})
    assert rejected.status == 200 and rejected.body["status"] == "draft"
    assert (await api.post(f"{VERSIONS}/2/reject", "quinn", {})).status == 422
    await submitted(api, "test-line", 2)
    approved = await _approve(api, 2)
    assert approved.status == 200, approved.body
    assert approved.body["status"] == "approved"
    assert approved.body["approval"]["username"] == "quinn"
    assert (await api.get(f"{VERSIONS}/1", "quinn")).body["status"] == "retired"
    entries = await _audit(settings, "test-line", 2)
    actions = [e["action"] for e in entries]
    assert actions == [
        "procedure_version.created",
        "procedure_version.edited",
        "procedure_version.submitted",
        "procedure_version.signature_refused",  # alex, an author, tried to approve
        "procedure_version.rejected",
        "procedure_version.submitted",
        "procedure_version.approved",
    ]
    assert entries[4]["reason"] == "Say why"
    approval = entries[-1]["new"]
    assert approval["content_hash"] == approved.body["content_hash"]
    assert approval["against_version"] == 1
    assert approval["diff"]["steps"]["changed"][0]["changes"][0]["new"] == "Weigh again"
    for refused in (
        await _put(api, 2, draft["definition"], approved.body["revision"]),
        await api.post(f"{VERSIONS}/2/submit", "alex"),
        await api.post(f"{VERSIONS}/2/reject", "quinn", {"reason": "late"}),
    ):
        assert refused.status == 409
    batch = await api.post("/batches", "sam", {"procedure": "test-line", "batch_number": "B-2"})
    assert batch.body["procedure"]["content_hash"] == approved.body["content_hash"]


async def test_retired_version_takes_no_new_batches_but_running_ones_finish_steps(
    api: ApiClient,
) -> None:
    await approved_procedure(api, "test_line.yaml")
    running = await started_batch(api)
    retired = await api.post(f"{VERSIONS}/1/retire", "quinn")
    assert retired.status == 200 and retired.body["status"] == "retired"
    refused = await api.post("/batches", "sam", {"procedure": "test-line", "batch_number": "B-9"})
    assert refused.status == 409
    pinned = await api.post(
        "/batches", "sam", {"procedure": "test-line", "version": 1, "batch_number": "B-10"}
    )
    assert pinned.status == 409
    done = await complete(api, running["id"], "clearance", values={"area_clean": True})
    assert done.status == 200, done.body
    assert (await api.post(f"{VERSIONS}/1/retire", "quinn")).status == 409
    again = await api.post(VERSIONS, "alex", {"from_version": 1})
    assert again.status == 201 and again.body["version"] == 2


async def test_yaml_export_of_an_edited_file_differs_only_in_the_edit(api: ApiClient) -> None:
    source = (DATA / "test_line.yaml").read_text()
    draft = await _draft_of_approved(api)
    edited = _with(
        draft["definition"], lambda d: _weigh(d)["inputs"][0]["limits"].update(alert_max=10.8)
    )
    assert (await _put(api, 2, edited, 1)).status == 200
    headers = {"Authorization": f"Bearer {await api.token('olivia')}"}
    async with api.client.get(f"/api/v1{VERSIONS}/2.yaml", headers=headers) as answer:
        assert answer.status == 200
        assert answer.content_type == "application/yaml"
        exported = await answer.text()
    lines = [
        line
        for line in difflib.unified_diff(source.splitlines(), exported.splitlines(), lineterm="")
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert lines == [
        "-            limits: {min: 9.0, max: 11.0, alert_min: 9.5, alert_max: 10.5}",
        "+            limits: {min: 9.0, max: 11.0, alert_min: 9.5, alert_max: 10.8}",
    ]
    async with api.client.get(f"/api/v1{VERSIONS}/1.yaml", headers=headers) as original:
        assert await original.text() == source


async def test_a_rejected_draft_says_why_who_and_when_until_it_is_submitted_again(
    api: ApiClient,
) -> None:
    await _draft_of_approved(api)
    assert (await api.get(f"{VERSIONS}/2", "alex")).body["rejection"] is None
    await submitted(api, "test-line", 2)
    await api.post(f"{VERSIONS}/2/reject", "quinn", {"reason": "First try"})
    await submitted(api, "test-line", 2)
    rejected = await api.post(f"{VERSIONS}/2/reject", "quinn", {"reason": "Name the balance"})
    assert rejected.body["rejection"]["reason"] == "Name the balance"
    shown = (await api.get(f"{VERSIONS}/2", "alex")).body
    quinn = (await api.get("/auth/me", "quinn")).body
    assert shown["status"] == "draft"
    assert shown["rejection"] == {
        "reason": "Name the balance",
        "by": {"username": "quinn", "full_name": quinn["full_name"]},
        "at": shown["rejection"]["at"],
    }
    assert rejected.body["rejection"]["by"] == shown["rejection"]["by"]
    at = datetime.fromisoformat(shown["rejection"]["at"])
    assert at >= datetime.fromisoformat(rejected.body["rejection"]["at"]) - timedelta(minutes=1)
    sent = await api.post(f"{VERSIONS}/2/submit", "alex")
    assert sent.body["rejection"] is None
    assert (await api.get(f"{VERSIONS}/2", "alex")).body["rejection"] is None
    assert (await _approve(api, 2)).body["rejection"] is None

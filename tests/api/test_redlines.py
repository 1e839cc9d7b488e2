"""Redlines: an in-run change of one batch's procedure, proposed by a supervisor, approved
with QA's e-signature, followed by that batch only and shown in its record."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from typing import Any

from pypdf import PdfReader

from server.audit.models import AuditEntry
from server.config import Settings
from tests.api.fixtures import (
    approved_procedure,
    audit_where,
    complete,
    signature,
    started_batch,
)
from tests.client import Answer, ApiClient

REASON = "Tighter weight window agreed with the formulation lab for this clinical lot."
EXTRA_STEP = {
    "id": "retain_sample",
    "title": "Take a retain sample",
    "kind": "instruction",
    "instruction": "Take 20 g of granules into a labelled retain jar.",
}


async def _definition(api: ApiClient, batch_id: str) -> dict[str, Any]:
    answer = await api.get(f"/batches/{batch_id}/definition", "sam")
    assert answer.status == 200, answer.body
    return answer.body


def _edited(definition: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    changed = copy.deepcopy(definition)
    edit(changed)
    return changed


def _prep(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return definition["operations"][0]["steps"]


def _tighten_and_add(definition: dict[str, Any]) -> None:
    """net_kg limited to 9.5..10.2 (alert 9.8..10.0); a retain sample after the verification."""
    weigh = _prep(definition)[1]
    weigh["inputs"][0]["limits"] = {"min": 9.5, "max": 10.2, "alert_min": 9.8, "alert_max": 10.0}
    _prep(definition).insert(3, copy.deepcopy(EXTRA_STEP))


async def _propose(api: ApiClient, batch_id: str, definition: Any, user: str = "sam") -> Answer:
    return await api.post(
        f"/batches/{batch_id}/redlines", user, {"definition": definition, "reason": REASON}
    )


async def _approve(api: ApiClient, batch_id: str, redline_id: str, user: str = "quinn") -> Answer:
    return await api.post(
        f"/batches/{batch_id}/redlines/{redline_id}/approve",
        user,
        {"signature": signature(user, "approved")},
    )


async def _batch(api: ApiClient, batch_id: str) -> dict[str, Any]:
    answer = await api.get(f"/batches/{batch_id}", "sam")
    assert answer.status == 200, answer.body
    return answer.body


def _step(batch: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(step for step in batch["steps"] if step["step_id"] == step_id)


async def _weighed_batch(api: ApiClient) -> dict[str, Any]:
    """A started test-line batch at its `weigh` step (clearance done)."""
    batch = await started_batch(api, batch_size_kg=10)
    done = await complete(api, batch["id"], "clearance", values={"area_clean": True})
    assert done.status == 200, done.body
    return batch


async def _pdf_text(api: ApiClient, batch_id: str) -> str:
    headers = {"Authorization": f"Bearer {await api.token('quinn')}"}
    async with api.client.get(f"/api/v1/batches/{batch_id}/record.pdf", headers=headers) as resp:
        assert resp.status == 200
        reader = PdfReader(io.BytesIO(await resp.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


async def test_an_approved_redline_is_followed_by_its_batch_only_and_recorded(
    api: ApiClient, settings: Settings
) -> None:
    await approved_procedure(api, "test_line.yaml")
    master = (await api.get("/procedures/test-line/versions/1", "sam")).body["definition"]
    redlined, other = await _weighed_batch(api), await _weighed_batch(api)
    current = await _definition(api, redlined["id"])
    assert current == master

    proposed = await _propose(api, redlined["id"], _edited(current, _tighten_and_add))
    assert proposed.status == 201, proposed.body
    redline = proposed.body
    assert (redline["number"], redline["status"]) == (1, "proposed")
    assert redline["proposed_by"]["username"] == "sam"
    assert [s["id"] for s in redline["diff"]["steps"]["added"]] == ["retain_sample"]
    assert [s["id"] for s in redline["diff"]["steps"]["changed"]] == ["weigh"]
    # Proposed only: the batch still follows its version.
    assert "retain_sample" not in [
        s["step_id"] for s in (await _batch(api, redlined["id"]))["steps"]
    ]

    approved = await _approve(api, redlined["id"], redline["id"])
    assert approved.status == 200, approved.body
    assert approved.body["status"] == "approved"
    assert approved.body["decided_by"]["username"] == "quinn"

    batch = await _batch(api, redlined["id"])
    order = [s["step_id"] for s in batch["steps"]]
    assert order[:5] == ["clearance", "weigh", "verify_weigh", "retain_sample", "rework"]
    limits = _step(batch, "weigh")["definition"]["inputs"][0]["limits"]
    assert limits["max"] == 10.2
    [deviation] = [d for d in batch["deviations"] if d["kind"] == "procedure_change"]
    assert deviation["id"] == approved.body["deviation_id"]
    assert deviation["comment"] == REASON
    assert "retain_sample" in deviation["detail"]

    # The redlined batch executes against the new limits; the other batch keeps the old.
    refused = await complete(
        api, redlined["id"], "weigh", values={"net_kg": 10.4, "appearance": "conforms"}
    )
    assert refused.status == 422, refused.body
    kept = await complete(
        api, other["id"], "weigh", values={"net_kg": 10.4, "appearance": "conforms"}
    )
    assert kept.status == 200 and kept.body["result"] == "ok", kept.body
    assert "retain_sample" not in [s["step_id"] for s in (await _batch(api, other["id"]))["steps"]]
    weighed = await complete(
        api, redlined["id"], "weigh", values={"net_kg": 10.0, "appearance": "conforms"}
    )
    assert weighed.status == 200, weighed.body
    verified = await complete(
        api, redlined["id"], "verify_weigh", "sam", signature=signature("sam", "verified")
    )
    assert verified.status == 200 and verified.body["next_step"] == "retain_sample", verified.body
    sampled = await complete(api, redlined["id"], "retain_sample")
    assert sampled.status == 200 and sampled.body["next_step"] == "output", sampled.body

    # The approved version never changes.
    assert (await api.get("/procedures/test-line/versions/1", "sam")).body["definition"] == master
    listed = await api.get(f"/batches/{redlined['id']}/redlines", "olivia")
    assert [(r["number"], r["status"]) for r in listed.body] == [(1, "approved")]

    record = await api.get(f"/batches/{redlined['id']}/record.json", "quinn")
    assert record.status == 200, record.body
    [entry] = record.body["redlines"]
    assert entry["status"] == "approved" and entry["reason"] == REASON
    assert entry["deviation_number"] == deviation["number"]
    assert entry["signature"]["username"] == "quinn" and entry["signature"]["meaning"] == "approved"
    assert any("retain_sample" in line for line in entry["changes"])
    assert any("limits.max changed from 11.0 to 10.2" in line for line in entry["changes"])
    assert [s["step_id"] for s in record.body["steps"]][3] == "retain_sample"
    text = await _pdf_text(api, redlined["id"])
    assert "Changes to the master procedure (redlines)" in text
    assert "Redline 1" in text and "Take a retain sample" in text

    trail = await audit_where(settings, AuditEntry.batch_id == redlined["id"])
    actions = [e["action"] for e in trail]
    assert {"redline.proposed", "redline.approved", "step.added"} <= set(actions)
    [approval] = [e for e in trail if e["action"] == "redline.approved"]
    assert approval["reason"] == REASON
    assert approval["new"]["signed_by"].startswith("quinn")
    assert approval["new"]["diff"] == redline["diff"]
    assert not [
        e
        for e in await audit_where(settings, AuditEntry.batch_id == other["id"])
        if e["action"].startswith("redline")
    ]


async def test_a_redline_may_not_touch_what_the_batch_has_done(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await _weighed_batch(api)
    current = await _definition(api, batch["id"])

    def change_done(d: dict[str, Any]) -> None:
        _prep(d)[0]["instruction"] = "Another instruction."

    def remove_done(d: dict[str, Any]) -> None:
        del _prep(d)[0]

    def add_before_active(d: dict[str, Any]) -> None:
        _prep(d).insert(1, copy.deepcopy(EXTRA_STEP))

    def invalid(d: dict[str, Any]) -> None:
        _prep(d)[1]["inputs"][0]["limits"] = {"min": 12, "max": 11}

    changed = await _propose(api, batch["id"], _edited(current, change_done))
    assert changed.status == 422
    assert changed.body["errors"][0]["field"] == "/operations/0/steps/0"
    removed = await _propose(api, batch["id"], _edited(current, remove_done))
    assert removed.status == 422 and "cannot be removed" in removed.body["detail"]
    before = await _propose(api, batch["id"], _edited(current, add_before_active))
    assert before.status == 422 and before.body["errors"][0]["field"] == "/operations"
    bad = await _propose(api, batch["id"], _edited(current, invalid))
    assert bad.status == 422
    assert bad.body["errors"][0]["field"].startswith("/operations/0/steps/1/inputs/0/limits")
    same = await _propose(api, batch["id"], current)
    assert same.status == 422
    operator = await _propose(api, batch["id"], _edited(current, _tighten_and_add), "olivia")
    assert operator.status == 403
    assert (await api.get(f"/batches/{batch['id']}/redlines", "sam")).body == []

    # A change of the active step (not yet completed) is allowed.
    allowed = await _propose(
        api,
        batch["id"],
        _edited(current, lambda d: _prep(d)[1].update(instruction="Weigh twice.")),
    )
    assert allowed.status == 201, allowed.body


async def test_approval_needs_qa_a_valid_signature_and_a_current_proposal(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await _weighed_batch(api)
    current = await _definition(api, batch["id"])
    first = (await _propose(api, batch["id"], _edited(current, _tighten_and_add))).body
    second = (
        await _propose(
            api, batch["id"], _edited(current, lambda d: _prep(d)[1].update(instruction="Twice."))
        )
    ).body
    assert second["number"] == 2

    assert (await _approve(api, batch["id"], first["id"], "sam")).status == 403
    wrong = await api.post(
        f"/batches/{batch['id']}/redlines/{first['id']}/approve",
        "quinn",
        {"signature": {"password": "wrong", "meaning": "approved"}},
    )
    assert wrong.status == 422 and wrong.body["type"].endswith("signature-rejected"), wrong.body
    meaning = await api.post(
        f"/batches/{batch['id']}/redlines/{first['id']}/approve",
        "quinn",
        {"signature": signature("quinn", "reviewed")},
    )
    assert meaning.status == 422, meaning.body
    assert (await _batch(api, batch["id"]))["deviations"] == []

    assert (await _approve(api, batch["id"], first["id"])).status == 200
    again = await _approve(api, batch["id"], first["id"])
    assert again.status == 409 and again.body["current"] == {"status": "approved"}
    stale = await _approve(api, batch["id"], second["id"])
    assert stale.status == 409 and "no longer follows" in stale.body["detail"]
    rejected = await api.post(
        f"/batches/{batch['id']}/redlines/{second['id']}/reject", "quinn", {"reason": "Superseded."}
    )
    assert rejected.status == 200 and rejected.body["status"] == "rejected", rejected.body
    assert rejected.body["decision_comment"] == "Superseded."
    missing = await _approve(api, batch["id"], "no-such-redline")
    assert missing.status == 404


async def test_a_removed_pending_step_is_not_executed(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await _weighed_batch(api)
    current = await _definition(api, batch["id"])

    def drop_rest(d: dict[str, Any]) -> None:
        d["operations"][1]["steps"] = [s for s in d["operations"][1]["steps"] if s["id"] != "rest"]

    redline = (await _propose(api, batch["id"], _edited(current, drop_rest))).body
    assert (await _approve(api, batch["id"], redline["id"])).status == 200
    steps = [s["step_id"] for s in (await _batch(api, batch["id"]))["steps"]]
    assert "rest" not in steps and steps[-1] == "sign_off"
    for step_id, body in (
        ("weigh", {"values": {"net_kg": 10.0, "appearance": "conforms"}}),
        ("verify_weigh", {"signature": signature("sam", "verified")}),
        ("output", {"values": {"output_kg": 10.0}}),
        ("yield_calc", {}),
    ):
        user = "sam" if step_id == "verify_weigh" else "olivia"
        done = await complete(api, batch["id"], step_id, user, **body)
        assert done.status == 200, (step_id, done.body)
    assert done.body["next_step"] == "sign_off"
    signed = await complete(
        api, batch["id"], "sign_off", signature=signature("olivia", "performed")
    )
    assert signed.status == 200 and signed.body["batch_status"] == "completed", signed.body
    late = await _propose(api, batch["id"], current)
    assert late.status == 409


async def test_whoever_proposed_a_redline_may_not_approve_it(
    api: ApiClient, settings: Settings
) -> None:
    await approved_procedure(api, "test_line.yaml")
    password = "vera-password-1"
    created = await api.post(
        "/users",
        "ada",
        {
            "username": "vera",
            "full_name": "Vera Both",
            "roles": ["supervisor", "qa"],
            "password": password,
        },
    )
    assert created.status == 201, created.body
    login = await api.call(
        "POST", "/auth/login", None, json={"username": "vera", "password": password}
    )
    vera = {"Authorization": f"Bearer {login.body['token']}"}
    batch = await _weighed_batch(api)
    current = await _definition(api, batch["id"])
    proposed = await api.call(
        "POST",
        f"/batches/{batch['id']}/redlines",
        None,
        headers=vera,
        json={"definition": _edited(current, _tighten_and_add), "reason": REASON},
    )
    assert proposed.status == 201, proposed.body
    own = await api.call(
        "POST",
        f"/batches/{batch['id']}/redlines/{proposed.body['id']}/approve",
        None,
        headers=vera,
        json={"signature": {"username": "vera", "password": password, "meaning": "approved"}},
    )
    assert own.status == 403 and "proposed" in own.body["detail"], own.body
    assert (await _batch(api, batch["id"]))["deviations"] == []
    refusals = await audit_where(settings, AuditEntry.action == "redline.signature_refused")
    assert len(refusals) == 1 and refusals[0]["actor"].startswith("vera")
    assert (await _approve(api, batch["id"], proposed.body["id"])).status == 200

"""Finding 2 of the adversarial review: every e-signature is checked for its signer's authority
for the act signed, a signature without it is refused, changes nothing and is audited, and the
audit of a signed act names both the signed-in user and the signer.

The endpoints that take a signature are found from the declared endpoints (their body schemas
carrying `SignatureIn`), so a new one fails here until it has a case below."""

from __future__ import annotations

import types
import typing
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel

from server.app import APIS
from server.audit.models import AuditEntry
from server.config import Settings
from server.web.schemas import SignatureIn
from tests.api.fixtures import (
    DATA,
    approved_procedure,
    audit_where,
    complete,
    signature,
    started_batch,
    submitted,
)
from tests.api.traceability import received_lot
from tests.client import ApiClient


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    elif isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for argument in typing.get_args(annotation):
            yield from _models_in(argument)


def _carries_signature(model: type[BaseModel], seen: frozenset[type] = frozenset()) -> bool:
    if model is SignatureIn:
        return True
    return any(
        _carries_signature(inner, seen | {model})
        for field in model.model_fields.values()
        for inner in _models_in(field.annotation)
        if inner not in seen
    )


def signed_endpoints() -> set[tuple[str, str]]:
    """Every declared endpoint whose body takes an e-signature."""
    return {
        (endpoint.method, endpoint.path)
        for api in APIS
        for endpoint in api.endpoints
        if endpoint.body is not None and _carries_signature(endpoint.body)
    }


@dataclass(frozen=True)
class Refused:
    """What a case sent and how to see that nothing changed and that it was audited."""

    status: int
    unchanged: bool
    audited: list[dict[str, Any]]


async def _audit_of(settings: Settings, entity_id: str) -> list[dict[str, Any]]:
    return await audit_where(settings, AuditEntry.entity_id == entity_id)


async def _lot_release_by_an_operator(api: ApiClient, settings: Settings) -> Refused:
    lot = await received_lot(api, released=False)
    answer = await api.post(
        f"/lots/{lot['lot_number']}/status",
        "quinn",
        {"status": "released", "reason": "CoA ok", "signature": signature("olivia", "released")},
    )
    after = (await api.get(f"/lots/{lot['lot_number']}", "quinn")).body
    return Refused(
        answer.status, after["status"] == lot["status"], await _audit_of(settings, lot["id"])
    )


async def _approval_by_an_operator(api: ApiClient, settings: Settings) -> Refused:
    source = (DATA / "test_line.yaml").read_text()
    loaded = await api.post("/procedures", "alex", {"filename": "t.yaml", "source": source})
    key, version = loaded.body["key"], loaded.body["version"]
    await submitted(api, key, version)
    answer = await api.post(
        f"/procedures/{key}/versions/{version}/approve",
        "quinn",
        {"signature": signature("olivia", "approved")},
    )
    after = (await api.get(f"/procedures/{key}/versions/{version}", "quinn")).body
    return Refused(
        answer.status,
        after["status"] == "in_review",
        await audit_where(settings, AuditEntry.entity_type == "procedure_version"),
    )


async def _at_verification(api: ApiClient) -> dict[str, Any]:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    await complete(api, batch["id"], "weigh", values={"net_kg": 10.0, "appearance": "conforms"})
    return batch


async def _step_of(api: ApiClient, batch_id: str, step_id: str) -> tuple[dict[str, Any], Any]:
    record = (await api.get(f"/batches/{batch_id}", "quinn")).body
    step = next(s for s in record["steps"] if s["step_id"] == step_id)
    return step, (await api.get_all(f"/batches/{batch_id}/audit", "quinn"))


async def _verification_by_an_author(api: ApiClient, settings: Settings) -> Refused:
    batch = await _at_verification(api)
    answer = await complete(
        api, batch["id"], "verify_weigh", signature=signature("alex", "verified")
    )
    step, audit = await _step_of(api, batch["id"], "verify_weigh")
    refusals = [e for e in audit if e["action"] == "step.signature_refused"]
    return Refused(answer.status, step["state"] == "active" and not step["signatures"], refusals)


async def _correction_signed_by_an_author(api: ApiClient, settings: Settings) -> Refused:
    batch = await _at_verification(api)
    await complete(api, batch["id"], "verify_weigh", signature=signature("sam", "verified"))
    answer = await api.post(
        f"/batches/{batch['id']}/steps/weigh/correct",
        "olivia",
        {
            "values": {"net_kg": 10.2},
            "reason": "misread",
            "signature": signature("alex", "corrected"),
        },
    )
    step, audit = await _step_of(api, batch["id"], "weigh")
    refusals = [e for e in audit if e["action"] == "step.signature_refused"]
    return Refused(answer.status, step["values"]["net_kg"] == 10.0, refusals)


async def _deviation_decided_by_a_supervisor(
    api: ApiClient, settings: Settings, decision: str
) -> Refused:
    batch = await _at_verification(api)
    raised = await api.post(
        f"/batches/{batch['id']}/deviations",
        "olivia",
        {"title": "Spill", "description": "Granules spilled on the floor"},
    )
    deviation_id = raised.body["id"]
    await api.call(
        "PATCH",
        f"/deviations/{deviation_id}",
        "quinn",
        json={"impact": "none", "root_cause": "lid"},
    )
    words = {"close": "conclusion", "cancel": "reason"}
    answer = await api.post(
        f"/deviations/{deviation_id}/{decision}",
        "quinn",
        {words[decision]: "done", "signature": signature("sam", "approved")},
    )
    after = (await api.get(f"/deviations/{deviation_id}", "quinn")).body
    return Refused(
        answer.status, after["status"] == "investigating", await _audit_of(settings, deviation_id)
    )


async def _deviation_closed_by_a_supervisor(api: ApiClient, settings: Settings) -> Refused:
    return await _deviation_decided_by_a_supervisor(api, settings, "close")


async def _deviation_cancelled_by_a_supervisor(api: ApiClient, settings: Settings) -> Refused:
    return await _deviation_decided_by_a_supervisor(api, settings, "cancel")


async def _hold_approval_signed_by_an_operator(api: ApiClient, settings: Settings) -> Refused:
    await approved_procedure(api, "blocking_line.yaml")
    batch = await started_batch(api, "blocking-line")
    await complete(api, batch["id"], "weigh", values={"net_kg": 10.7}, comment="drift")
    [hold] = (await api.get(f"/batches/{batch['id']}", "quinn")).body["holds"]
    answer = await api.post(
        f"/batches/{batch['id']}/holds/{hold['id']}/approve",
        "quinn",
        {"signature": signature("omar", "approved")},
    )
    after = (await api.get(f"/batches/{batch['id']}", "quinn")).body
    return Refused(answer.status, after["holds"] == [hold], await _audit_of(settings, hold["id"]))


async def _redline_approved_by_an_operator(api: ApiClient, settings: Settings) -> Refused:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    definition = (await api.get(f"/batches/{batch['id']}/definition", "sam")).body
    definition["operations"][0]["steps"][1]["title"] = "Weigh the granules (redlined)"
    proposed = await api.post(
        f"/batches/{batch['id']}/redlines", "sam", {"definition": definition, "reason": "test"}
    )
    assert proposed.status == 201, proposed.body
    redline = proposed.body["id"]
    answer = await api.post(
        f"/batches/{batch['id']}/redlines/{redline}/approve",
        "quinn",
        {"signature": signature("olivia", "approved")},
    )
    [after] = (await api.get(f"/batches/{batch['id']}/redlines", "quinn")).body
    return Refused(answer.status, after["status"] == "proposed", await _audit_of(settings, redline))


Case = Callable[[ApiClient, Settings], Awaitable[Refused]]


async def _review_mark_signed_by_a_supervisor(api: ApiClient, settings: Settings) -> Refused:
    batch = await _at_verification(api)
    review = (await api.get(f"/batches/{batch['id']}/review", "quinn")).body
    await complete(api, batch["id"], "verify_weigh", signature=signature("olivia", "verified"))
    [item] = (await api.get(f"/batches/{batch['id']}/review", "quinn")).body["items"]
    answer = await api.post(
        f"/batches/{batch['id']}/review/{item['id']}",
        "quinn",
        {"signature": signature("sam", "reviewed")},
    )
    after = (await api.get(f"/batches/{batch['id']}/review", "quinn")).body
    return Refused(
        answer.status,
        review["items"] == [] and after["unreviewed"] == 1,
        await audit_where(settings, AuditEntry.entity_type == "review"),
    )


async def _rejection_signed_by_a_supervisor(api: ApiClient, settings: Settings) -> Refused:
    batch = await _at_verification(api)
    answer = await api.post(
        f"/batches/{batch['id']}/release",
        "quinn",
        {"decision": "rejected", "comment": "x", "signature": signature("sam", "rejected")},
    )
    after = (await api.get(f"/batches/{batch['id']}", "quinn")).body
    return Refused(
        answer.status,
        after["status"] == "in_progress",
        await audit_where(settings, AuditEntry.entity_type == "release"),
    )


async def _cleaning_signed_by_an_author(api: ApiClient, settings: Settings) -> Refused:
    dirtied = await api.post(
        "/equipment/EQ-PRESS-01/status", "olivia", {"status": "dirty", "reason": "used"}
    )
    answer = await api.post(
        "/equipment/EQ-PRESS-01/status",
        "olivia",
        {"status": "clean", "reason": "cleaned", "signature": signature("alex", "performed")},
    )
    after = (await api.get("/equipment/EQ-PRESS-01", "olivia")).body
    return Refused(
        answer.status, after["status"] == "dirty", await _audit_of(settings, dirtied.body["id"])
    )


CASES: dict[tuple[str, str], Case] = {
    ("POST", "/lots/{ref}/status"): _lot_release_by_an_operator,
    ("POST", "/equipment/{ref}/status"): _cleaning_signed_by_an_author,
    ("POST", "/procedures/{key}/versions/{version}/approve"): _approval_by_an_operator,
    ("POST", "/batches/{batch_id}/steps/{step_id}/complete"): _verification_by_an_author,
    ("POST", "/batches/{batch_id}/steps/{step_id}/correct"): _correction_signed_by_an_author,
    ("POST", "/deviations/{deviation_id}/close"): _deviation_closed_by_a_supervisor,
    ("POST", "/deviations/{deviation_id}/cancel"): _deviation_cancelled_by_a_supervisor,
    ("POST", "/batches/{batch_id}/review/{item_id}"): _review_mark_signed_by_a_supervisor,
    ("POST", "/batches/{batch_id}/release"): _rejection_signed_by_a_supervisor,
    ("POST", "/batches/{batch_id}/holds/{hold_id}/approve"): _hold_approval_signed_by_an_operator,
    ("POST", "/batches/{batch_id}/redlines/{redline_id}/approve"): _redline_approved_by_an_operator,
}


def test_every_endpoint_taking_a_signature_has_an_authority_case() -> None:
    assert signed_endpoints() == set(CASES)


@pytest.mark.parametrize("endpoint", sorted(signed_endpoints()), ids=" ".join)
async def test_a_signer_without_authority_is_refused_changes_nothing_and_is_audited(
    api: ApiClient, settings: Settings, endpoint: tuple[str, str]
) -> None:
    refused = await CASES[endpoint](api, settings)

    assert refused.status == 403
    assert refused.unchanged
    assert refused.audited
    assert "may not sign" in refused.audited[-1]["reason"], refused.audited


async def test_a_lot_release_audit_names_the_signed_in_user_and_the_signer(
    api: ApiClient, settings: Settings
) -> None:
    lot = await received_lot(api, released=False)
    refused = await api.post(
        f"/lots/{lot['lot_number']}/status",
        "quinn",
        {"status": "released", "reason": "CoA ok", "signature": signature("olivia", "released")},
    )
    released = await api.post(
        f"/lots/{lot['lot_number']}/status",
        "sam",
        {"status": "released", "reason": "CoA ok", "signature": signature("quinn", "released")},
    )
    entries = await _audit_of(settings, lot["id"])

    assert refused.status == 403
    assert released.status == 403  # a supervisor may not ask for it, whoever signs
    [refusal] = [e for e in entries if e["action"] == "lot.signature_refused"]
    assert refusal["actor"] == "quinn (Quinn QA)"
    assert refusal["new"] == {
        "act": f"setting lot {lot['lot_number']} released",
        "meaning": "released",
        "signed_by": "olivia",
    }
    released = await api.post(
        f"/lots/{lot['lot_number']}/status",
        "quinn",
        {"status": "released", "reason": "CoA ok", "signature": signature("quinn", "released")},
    )
    assert released.status == 200, released.body
    [changed] = [
        e for e in await _audit_of(settings, lot["id"]) if e["action"] == "lot.status_changed"
    ]
    assert changed["actor"] == "quinn (Quinn QA)"
    assert changed["new"]["signed_by"] == "quinn (Quinn QA)"


async def test_a_verification_signed_for_the_signed_in_operator_names_both(
    api: ApiClient,
) -> None:
    batch = await _at_verification(api)
    verified = await complete(
        api, batch["id"], "verify_weigh", signature=signature("sam", "verified")
    )
    audit = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")

    assert verified.status == 200, verified.body
    completed = [e for e in audit if e["action"] == "step.completed"][-1]
    applied = [e for e in audit if e["action"] == "signature.applied"][-1]
    assert completed["actor"] == "olivia (Olivia Operator)"
    assert completed["new"]["signed_by"] == "sam (Sam Supervisor)"
    assert applied["actor"] == "olivia (Olivia Operator)"
    assert applied["new"]["signed_by"] == "sam (Sam Supervisor)"

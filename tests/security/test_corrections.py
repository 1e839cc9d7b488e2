"""Finding 3 of the adversarial review: a correction of signed or verified data is e-signed
by the corrector, leaves the earlier signatures applying to the values they signed, sends a
verified step back to verification, recomputes and re-checks the calculations that used the
corrected value, and after the batch completed opens a deviation."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient


async def _verified(api: ApiClient) -> dict[str, Any]:
    """A batch whose weighing olivia performed and sam verified."""
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    for step_id, body in [
        ("clearance", {"values": {"area_clean": True}}),
        ("weigh", {"values": {"net_kg": 10.0, "appearance": "conforms"}}),
        ("verify_weigh", {"signature": signature("sam", "verified")}),
    ]:
        answer = await complete(api, batch["id"], step_id, **body)
        assert answer.status == 200, (step_id, answer.body)
    return batch


async def _correct(api: ApiClient, batch_id: str, step_id: str, **body: Any) -> Any:
    return await api.post(f"/batches/{batch_id}/steps/{step_id}/correct", "omar", body)


async def _steps(api: ApiClient, batch_id: str) -> dict[str, dict[str, Any]]:
    record = (await api.get(f"/batches/{batch_id}", "quinn")).body
    return {step["step_id"]: step for step in record["steps"]}


async def test_correcting_verified_values_needs_the_correctors_own_signature(
    api: ApiClient,
) -> None:
    batch = await _verified(api)
    change = {"values": {"net_kg": 10.2}, "reason": "Read the wrong display"}

    unsigned = await _correct(api, batch["id"], "weigh", **change)
    for_someone_else = await _correct(
        api, batch["id"], "weigh", **change, signature=signature("olivia", "corrected")
    )
    steps = await _steps(api, batch["id"])
    audit = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")

    assert unsigned.status == 422, unsigned.body
    assert unsigned.body["errors"] == [
        {"field": "signature", "message": "sign with meaning 'corrected'"}
    ]
    assert for_someone_else.status == 403, for_someone_else.body
    assert steps["weigh"]["values"]["net_kg"] == 10.0 and not steps["weigh"]["corrected"]
    refusals = [e for e in audit if e["action"] == "step.correction_refused"]
    assert len(refusals) == 2 and "signature" in refusals[0]["reason"]


async def test_the_verification_applies_to_the_superseded_value_and_must_be_repeated(
    api: ApiClient,
) -> None:
    batch = await _verified(api)

    corrected = await _correct(
        api,
        batch["id"],
        "weigh",
        values={"net_kg": 10.2},
        reason="Read the wrong display",
        signature=signature("omar", "corrected"),
    )
    steps = await _steps(api, batch["id"])

    assert corrected.status == 200, corrected.body
    [verification] = steps["verify_weigh"]["signatures"]
    assert verification["username"] == "sam" and verification["superseded"] is True
    assert verification["revisions"] == {"appearance": 1, "net_kg": 1}
    assert steps["verify_weigh"]["needs_reverification"] is True
    [correction] = steps["weigh"]["signatures"]
    assert (correction["username"], correction["meaning"]) == ("omar", "corrected")
    assert correction["superseded"] is False
    assert correction["revisions"] == {"appearance": 1, "net_kg": 2}
    [again] = steps["verify_weigh"]["deviations"]
    assert again["kind"] == "reverification_required"
    assert [d["kind"] for d in corrected.body["deviations"]] == ["reverification_required"]


async def _through_yield(api: ApiClient) -> dict[str, Any]:
    """A 5 kg batch of the test line up to its yield: output 5.0 kg, yield 100 %."""
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api, batch_size_kg=5)
    for step_id, body in [
        ("clearance", {"values": {"area_clean": True}}),
        ("weigh", {"values": {"net_kg": 10.0, "appearance": "conforms"}}),
        ("verify_weigh", {"signature": signature("sam", "verified")}),
        ("output", {"values": {"output_kg": 5.0}}),
        ("yield_calc", {}),
    ]:
        answer = await complete(api, batch["id"], step_id, **body)
        assert answer.status == 200, (step_id, answer.body)
    return batch


async def test_a_correction_recomputes_and_rechecks_the_calculations_that_used_it(
    api: ApiClient,
) -> None:
    batch = await _through_yield(api)

    beyond = await _correct(
        api, batch["id"], "output", values={"output_kg": 10.1}, reason="Printout reads 10.1"
    )
    in_alert = await _correct(
        api, batch["id"], "output", values={"output_kg": 4.6}, reason="Printout reads 4.6"
    )
    steps = await _steps(api, batch["id"])
    audit = await api.get_all(f"/batches/{batch['id']}/audit", "quinn")

    # 10.1 kg of 5 kg is a 202 % yield, beyond its 200 % hard limit: refused, naming it.
    assert beyond.status == 422, beyond.body
    assert [(e["field"], e["code"]) for e in beyond.body["errors"]] == [
        ("values.yield_pct", "above_max")
    ]
    assert in_alert.status == 200, in_alert.body
    assert in_alert.body["recalculated"] == {"yield_calc": {"yield_pct": 92.0}}
    assert steps["yield_calc"]["calculated"] == {"yield_pct": 92.0}
    history = [(h["value"], h["revision"]) for h in steps["yield_calc"]["history"]]
    assert history == [(100.0, 1), (92.0, 2)]
    [deviation] = steps["yield_calc"]["deviations"]
    assert (deviation["kind"], deviation["field"]) == ("alert_limit", "yield_pct")
    recalculated = [e for e in audit if e["action"] == "value.recalculated"]
    assert [(e["old"], e["new"]) for e in recalculated] == [
        ({"yield_pct": 100.0}, {"yield_pct": 92.0})
    ]


async def test_a_correction_after_the_batch_completed_opens_a_deviation(api: ApiClient) -> None:
    batch = await _through_yield(api)
    for step_id, body in [
        ("rest", {}),
        ("sign_off", {"signature": signature("olivia", "performed")}),
    ]:
        answer = await complete(api, batch["id"], step_id, **body)
        assert answer.status == 200, (step_id, answer.body)

    corrected = await _correct(
        api, batch["id"], "output", values={"output_kg": 4.9}, reason="Printout reads 4.9"
    )
    record = (await api.get(f"/batches/{batch['id']}", "quinn")).body

    assert record["status"] == "completed"
    assert corrected.status == 200, corrected.body
    kinds = [d["kind"] for d in corrected.body["deviations"]]
    assert kinds == ["correction_after_completion"]
    assert [d["kind"] for d in record["deviations"]] == ["correction_after_completion"]


async def test_a_correction_that_would_change_a_branch_already_taken_is_refused(
    api: ApiClient,
) -> None:
    batch = await _verified(api)  # appearance "conforms": the re-sieving step was skipped

    refused = await _correct(
        api,
        batch["id"],
        "weigh",
        values={"appearance": "does not conform"},
        reason="Lumps seen",
        signature=signature("omar", "corrected"),
    )
    steps = await _steps(api, batch["id"])

    assert refused.status == 422, refused.body
    assert "rework" in refused.body["detail"]
    assert refused.body["errors"][0]["field"] == "values.appearance"
    assert steps["weigh"]["values"]["appearance"] == "conforms"
    assert steps["rework"]["state"] == "skipped"

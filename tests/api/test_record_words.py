"""Where people read a record, they read titles, labels and names, not ids (issue 13): a
deviation names its step by title and its value by label, a correction's deviations name the
step by title, and the audit trail names the people whose ids its values hold."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient


async def _done(answer: Any) -> dict[str, Any]:
    assert answer.status == 200, answer.body
    return answer.body


async def _completed_test_line(api: ApiClient) -> tuple[str, dict[str, Any]]:
    """A test-line batch whose weight was in its alert band, run to its end: its id and the
    alert deviation."""
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api, "test-line")
    batch_id = batch["id"]
    await _done(await complete(api, batch_id, "clearance", values={"area_clean": True}))
    weighed = await _done(
        await complete(
            api,
            batch_id,
            "weigh",
            values={"net_kg": 10.7, "appearance": "conforms"},
            comment="Drum label checked, weight confirmed",
        )
    )
    await _done(
        await complete(api, batch_id, "verify_weigh", signature=signature("sam", "verified"))
    )
    await _done(await complete(api, batch_id, "output", values={"output_kg": 10.0}))
    await _done(await complete(api, batch_id, "yield_calc"))
    await _done(await complete(api, batch_id, "rest"))
    done = await _done(
        await complete(api, batch_id, "sign_off", signature=signature("olivia", "performed"))
    )
    assert done["batch_status"] == "completed"
    return batch_id, weighed["deviations"][0]


async def test_a_deviation_names_its_step_and_value_as_the_procedure_does(api: ApiClient) -> None:
    _, alert = await _completed_test_line(api)

    one = (await api.get(f"/deviations/{alert['id']}", "quinn")).body
    listed = (await api.get(f"/deviations?batch_id={one['batch_id']}", "quinn")).body

    assert (one["step_id"], one["field"]) == ("weigh", "net_kg")  # ids stay in the API
    assert (one["step_title"], one["field_label"]) == ("Weigh the granules", "Net weight")
    assert one["title"] == "Net weight outside its alert range"
    assert [(d["step_title"], d["field_label"]) for d in listed] == [
        ("Weigh the granules", "Net weight")
    ]


async def test_a_correction_after_completion_names_the_steps_by_title(api: ApiClient) -> None:
    batch_id, _ = await _completed_test_line(api)

    corrected = await _done(
        await api.post(
            f"/batches/{batch_id}/steps/weigh/correct",
            "olivia",
            {
                "values": {"net_kg": 10.2},
                "reason": "Transcription error: printout reads 10.2",
                "signature": signature("olivia", "corrected"),
            },
        )
    )

    opened = {d["kind"]: d for d in corrected["deviations"]}
    late = opened["correction_after_completion"]
    assert late["title"] == "“Weigh the granules” corrected after the batch completed"
    assert late["detail"] == "Step “Weigh the granules” was corrected after the batch completed."
    again = opened["reverification_required"]
    assert again["detail"] == (
        "A correction of step “Weigh the granules” changed values that step “Verify the weight”"
        " verified; its verification no longer applies."
    )
    assert "'weigh'" not in late["title"] + late["detail"] + again["detail"]  # no ids


async def test_the_audit_trail_names_the_people_whose_ids_its_values_hold(
    api: ApiClient,
) -> None:
    batch_id, _ = await _completed_test_line(api)
    users = {u["username"]: u for u in (await api.get("/users", "ada")).body}

    trail = await api.get_all(f"/batches/{batch_id}/audit", "quinn")

    sam, olivia = users["sam"]["id"], users["olivia"]["id"]
    signed = [e for e in trail if e["action"] == "signature.applied"]
    by_sam = [e for e in signed if e["new"]["signer_id"] == sam]
    assert by_sam and all(e["people"] == {sam: "Sam Supervisor"} for e in by_sam)
    performed = [e for e in trail if (e["new"] or {}).get("performer_id") == olivia]
    assert performed and all(e["people"][olivia] == "Olivia Operator" for e in performed)
    named = {name for entry in trail for name in entry["people"].values()}
    assert named == {"Olivia Operator", "Sam Supervisor"}

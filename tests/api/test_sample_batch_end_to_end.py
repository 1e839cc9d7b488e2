"""A whole sample batch through the HTTP API, from sign-in to `completed`.

Runs the compression sample as the shop floor would: a hard-limit rejection, an alert
value with its deviation, a refused self-verification, a verification by a supervisor,
and a correction with a reason after the fact; then the audit trail verifies.
"""

from __future__ import annotations

from tests.api.fixtures import complete, signature
from tests.client import ApiClient

SETTINGS = {"turret_speed_rpm": 30, "precompression_kn": 2.0, "main_force_kn": 12.0}
IPC_START = {
    "start_weight_mg": 200.4,
    "start_hardness_n": 80,
    "start_thickness_mm": 3.9,
    "start_friability_pct": 0.2,
}
IPC_END = {
    "end_weight_mg": 199.8,
    "end_hardness_n": 82,
    "end_thickness_mm": 3.92,
    "end_friability_pct": 0.25,
}


async def _ok(answer) -> dict:
    assert answer.status == 200, answer.body
    return answer.body


async def test_compression_batch_from_login_to_completed(api: ApiClient) -> None:
    procedures = {p["key"]: p for p in (await api.get("/procedures", "olivia")).body}
    assert procedures["stw101-compression"]["versions"][-1]["status"] == "approved"

    created = await api.post(
        "/batches",
        "sam",
        {
            "procedure": "stw101-compression",
            "batch_number": "STW101-C-0001",
            "parameters": {"batch_size_kg": 12.0},
        },
    )
    assert created.status == 201, created.body
    batch_id = created.body["id"]
    await _ok(await api.post(f"/batches/{batch_id}/start", "olivia"))

    await _ok(
        await complete(
            api,
            batch_id,
            "line_clearance",
            values={"room_cleared": True, "press_clean": True, "tooling_correct": True},
            signature=signature("olivia", "performed"),
        )
    )
    await _ok(
        await complete(
            api,
            batch_id,
            "scan_press",
            values={
                "press_id": "EQ-PRESS-01",
                "punch_set_id": "EQ-PUNCH-S25",
                "blend_drum": "FB-0001-D1",
            },
        )
    )

    too_hard = await complete(
        api, batch_id, "press_settings", values={**SETTINGS, "main_force_kn": 17.0}
    )
    assert too_hard.status == 422
    assert [(e["field"], e["code"]) for e in too_hard.body["errors"]] == [
        ("values.main_force_kn", "above_max")
    ]

    alert = await _ok(
        await complete(
            api,
            batch_id,
            "press_settings",
            values={**SETTINGS, "turret_speed_rpm": 37},
            comment="Speed raised to feed the hopper evenly; QA informed",
        )
    )
    assert alert["result"] == "alert"
    assert alert["deviations"][0]["field"] == "turret_speed_rpm"

    await _ok(
        await complete(
            api, batch_id, "ipc_start", values=IPC_START, signature=signature("olivia", "performed")
        )
    )
    own = await complete(api, batch_id, "release_run", signature=signature("olivia", "verified"))
    assert own.status == 403
    released = await _ok(
        await complete(api, batch_id, "release_run", signature=signature("sam", "verified"))
    )
    assert released["next_step"] == "compress_batch"

    await _ok(await complete(api, batch_id, "compress_batch"))
    await _ok(await complete(api, batch_id, "ipc_end", values=IPC_END))
    finished = await _ok(
        await complete(
            api,
            batch_id,
            "compression_yield",
            values={"tablets_kg": 11.64, "rejects_kg": 0.30},
            signature=signature("olivia", "performed"),
        )
    )
    assert finished["batch_status"] == "completed"

    corrected = await api.post(
        f"/batches/{batch_id}/steps/ipc_end/correct",
        "olivia",
        {
            "values": {"end_hardness_n": 84},
            "reason": "Transcription error: tester printout reads 84 N",
        },
    )
    assert corrected.status == 200, corrected.body

    record = (await api.get(f"/batches/{batch_id}", "quinn")).body
    assert record["status"] == "completed"
    steps = {step["step_id"]: step for step in record["steps"]}
    assert steps["compression_yield"]["calculated"]["compression_yield_pct"] == 97.0
    ipc_end = steps["ipc_end"]
    assert ipc_end["values"]["end_hardness_n"] == 84 and ipc_end["corrected"] is True
    hardness = [h for h in ipc_end["history"] if h["name"] == "end_hardness_n"]
    assert [(h["value"], h["revision"], h["reason"]) for h in hardness] == [
        (82, 1, None),
        (84, 2, "Transcription error: tester printout reads 84 N"),
    ]
    assert [s["meaning"] for s in steps["release_run"]["signatures"]] == ["verified"]
    assert steps["release_run"]["completed_by"]["username"] == "sam"
    # A correction after the batch completed is itself a deviation (finding 3 of issue 10),
    # and so is the verification olivia was refused and sam then signed (issue 11).
    assert [d["kind"] for d in record["deviations"]] == [
        "alert_limit",
        "signature_retried",
        "correction_after_completion",
    ]

    audit = (await api.get(f"/batches/{batch_id}/audit", "quinn")).body
    actions = [entry["action"] for entry in audit]
    assert actions.count("step.completion_refused") == 1
    assert actions.count("step.signature_refused") == 1
    correction = next(entry for entry in audit if entry["action"] == "value.corrected")
    assert correction["old"] == {"end_hardness_n": 82} and correction["new"] == {
        "end_hardness_n": 84
    }
    assert correction["reason"].startswith("Transcription error")
    assert actions[-2:] == ["value.corrected", "deviation.opened"]
    verify = (await api.get("/audit/verify", "quinn")).body
    assert verify["ok"] is True

    review = (await api.get(f"/batches/{batch_id}/review", "quinn")).body
    # Review by exception: QA reads 5 exceptions (3 deviations, the refused signature and the
    # correction) instead of the 28 recorded data points (issue 11).
    assert (review["exceptions"], review["data_points"]) == (5, 28)
    assert sorted(item["kind"] for item in review["items"]) == [
        "correction",
        "deviation",
        "deviation",
        "deviation",
        "signature_refused",
    ]
    assert review["ready"] is False and review["unreviewed"] == 5

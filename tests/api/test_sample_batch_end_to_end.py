"""A whole sample batch through the HTTP API, from sign-in to `completed`.

Runs the compression sample as the shop floor would: a hard-limit rejection, an alert
value with its deviation, a refused self-verification, a verification by a supervisor,
and a correction with a reason after the fact; then the audit trail verifies.
"""

from __future__ import annotations

from tests.api.compression_sample import (
    IPC_END,
    IPC_START,
    SETTINGS,
    cleared_compression_batch,
    ok,
)
from tests.api.fixtures import complete, signature
from tests.client import ApiClient


async def test_compression_batch_from_login_to_completed(api: ApiClient) -> None:
    procedures = {p["key"]: p for p in (await api.get("/procedures", "olivia")).body}
    assert procedures["stw101-compression"]["versions"][-1]["status"] == "approved"

    batch_id = await cleared_compression_batch(api, "STW101-C-0001")

    too_hard = await complete(
        api, batch_id, "press_settings", values={**SETTINGS, "main_force_kn": 17.0}
    )
    assert too_hard.status == 422
    assert [(e["field"], e["code"]) for e in too_hard.body["errors"]] == [
        ("values.main_force_kn", "above_max")
    ]

    alert = await ok(
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

    await ok(
        await complete(
            api, batch_id, "ipc_start", values=IPC_START, signature=signature("olivia", "performed")
        )
    )
    own = await complete(api, batch_id, "release_run", signature=signature("olivia", "verified"))
    assert own.status == 403
    released = await ok(
        await complete(api, batch_id, "release_run", signature=signature("sam", "verified"))
    )
    assert released["next_step"] == "compress_batch"

    await ok(await complete(api, batch_id, "compress_batch"))
    await ok(await complete(api, batch_id, "ipc_end", values=IPC_END))
    finished = await ok(
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

    audit = await api.get_all(f"/batches/{batch_id}/audit", "quinn")
    actions = [entry["action"] for entry in audit]
    assert actions.count("step.completion_refused") == 1
    assert actions.count("step.signature_refused") == 1
    correction = next(entry for entry in audit if entry["action"] == "value.corrected")
    assert correction["old"] == {"end_hardness_n": 82} and correction["new"] == {
        "end_hardness_n": 84
    }
    assert correction["reason"].startswith("Transcription error")
    assert actions[-2:] == ["value.corrected", "deviation.opened"]
    # The blend it loaded was made by a batch and released (issue 13): a recall of the
    # lactose in that blend reaches this batch one level down.
    recall = (await api.get("/trace/lots/LAC-2611-01/recall", "quinn")).body
    reached = {(item["batch_number"], item["level"]) for item in recall["affected"]}
    assert ("STW101-C-0001", 2) in reached
    verify = (await api.get("/audit/verify", "quinn")).body
    assert verify["ok"] is True

    review = (await api.get(f"/batches/{batch_id}/review", "quinn")).body
    # Review by exception: QA reads 5 exceptions (3 deviations, the refused signature and the
    # correction) instead of the 29 recorded data points (issue 11), the core tablet lot the
    # yield step produced among them (issue 13).
    assert (review["exceptions"], review["data_points"]) == (5, 29)
    assert sorted(item["kind"] for item in review["items"]) == [
        "correction",
        "deviation",
        "deviation",
        "deviation",
        "signature_refused",
    ]
    assert review["ready"] is False and review["unreviewed"] == 5

"""The compression sample procedure (stw101-compression) as the shop floor runs it: its
recorded values and the first steps of a batch, shared by the tests that run it whole."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import approved_procedure, complete, signature
from tests.api.genealogy_chain import LACTOSE, stage_batch
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
CLEARANCE = {"room_cleared": True, "press_clean": True, "tooling_correct": True}
TOOLING = {"press_id": "EQ-PRESS-01", "punch_set_id": "EQ-PUNCH-S25"}


async def ok(answer: Any) -> dict[str, Any]:
    """The body of a 200 answer (fails the test on any other)."""
    assert answer.status == 200, answer.body
    return answer.body


async def released_blend(api: ApiClient, kg: float = 12.0) -> str:
    """A final blend lot made by a blending batch (from lactose lot LAC-2611-01) and released
    by QA: what a compression batch loads."""
    loaded = {procedure["key"] for procedure in (await api.get("/procedures", "sam")).body}
    if "blend-line" not in loaded:
        await approved_procedure(api, "blend_line.yaml")
    _, blend = await stage_batch(
        api, "blend-line", ("charge", {"lactose_lot": LACTOSE}), {"blend_kg": kg}, "STW-101-FB"
    )
    return blend


async def cleared_compression_batch(api: ApiClient, batch_number: str) -> str:
    """A compression batch created by sam, started by olivia, its line cleared (signed) and
    its press, punch set and a released blend lot (`released_blend`) scanned: the id of the
    batch, ready for its press settings."""
    blend = await released_blend(api)
    created = await api.post(
        "/batches",
        "sam",
        {
            "procedure": "stw101-compression",
            "batch_number": batch_number,
            "parameters": {"batch_size_kg": 12.0},
        },
    )
    assert created.status == 201, created.body
    batch_id = created.body["id"]
    await ok(await api.post(f"/batches/{batch_id}/start", "olivia"))
    await ok(
        await complete(
            api,
            batch_id,
            "line_clearance",
            values=CLEARANCE,
            signature=signature("olivia", "performed"),
        )
    )
    await ok(await complete(api, batch_id, "scan_press", values={**TOOLING, "blend_drum": blend}))
    return batch_id

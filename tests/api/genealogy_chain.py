"""Four batches chained through real output lots, built through the API as a site would:
dispensing (cellulose from lot MCC-2611-01 into a container) → granulation (the container and
lactose lot LAC-2611-01; yields a blend lot) → compression (the blend; yields cores, weighed in
g) → coating (the cores; yields coated tablets). Each output lot is released by QA before the
next batch scans it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.api.fixtures import approved_procedure, complete, signature, started_batch
from tests.client import ApiClient

EXCIPIENT = "MCC-2611-01"  # demo inventory: released microcrystalline cellulose
LACTOSE = "LAC-2611-01"
PROCEDURES = (
    "dispense_line.yaml",
    "chain_granulation.yaml",
    "chain_compression.yaml",
    "chain_coating.yaml",
)


@dataclass(frozen=True)
class Chain:
    """The batches (dispensing, granulation, compression, coating), the dispensed container
    and the output lots (blend, cores, coated tablets), by number."""

    batches: tuple[str, ...]
    batch_ids: tuple[str, ...]
    container: str
    lots: tuple[str, ...]


async def _done(answer: Any) -> dict[str, Any]:
    assert answer.status == 200, answer.body
    return answer.body


async def output_lot(api: ApiClient, batch_number: str, material: str) -> dict[str, Any]:
    """The lot of `material` the batch produced (found by its producing batch)."""
    lots = await api.get(f"/lots?material={material}", "olivia")
    made = [lot for lot in lots.body if lot["supplier_lot"] == batch_number]
    assert len(made) == 1, lots.body
    return made[0]


async def _release(api: ApiClient, lot_number: str) -> None:
    await _done(
        await api.post(
            f"/lots/{lot_number}/status",
            "quinn",
            {
                "status": "released",
                "reason": "In-process results reviewed",
                "signature": signature("quinn", "released"),
            },
        )
    )


async def stage_batch(
    api: ApiClient,
    procedure: str,
    scans: tuple[str, dict[str, str]],
    output: dict[str, float],
    material: str,
) -> tuple[dict[str, Any], str]:
    """A batch that scans what it uses (step, values), then yields its output lot at its
    `discharge` step, which QA releases."""
    batch = await started_batch(api, procedure)
    await _done(await complete(api, batch["id"], scans[0], values=scans[1]))
    await _done(await complete(api, batch["id"], "discharge", values=output))
    lot = (await output_lot(api, batch["batch_number"], material))["lot_number"]
    await _release(api, lot)
    return batch, lot


async def four_level_chain(api: ApiClient) -> Chain:
    """Run the four batches; every one of them is downstream of EXCIPIENT."""
    for filename in PROCEDURES:
        await approved_procedure(api, filename)
    dispensing = await started_batch(api, "dispense-line", batch_size_kg=4.0)
    await _done(
        await complete(api, dispensing["id"], "scan_balance", values={"balance_id": "EQ-BAL-01"})
    )
    weighed = await _done(
        await complete(
            api,
            dispensing["id"],
            "weigh_mcc",
            values={"balance": "EQ-BAL-01", "lot": EXCIPIENT, "mcc_kg": 2.0},
        )
    )
    await _done(await complete(api, dispensing["id"], "done", values={}))
    container = weighed["container"]["number"]
    granulation, blend = await stage_batch(
        api,
        "chain-granulation",
        ("charge", {"mcc_container": container, "lactose_lot": LACTOSE}),
        {"blend_kg": 3.9},
        "STW-101-FB",
    )
    compression, cores = await stage_batch(
        api,
        "chain-compression",
        ("load_blend", {"blend_drum": blend}),
        {"cores_g": 3800},
        "STW-101-CT",
    )
    coating, coated = await stage_batch(
        api,
        "chain-coating",
        ("load_cores", {"cores_drum": cores}),
        {"coated_kg": 3.9},
        "STW-101-FC",
    )
    batches = (dispensing, granulation, compression, coating)
    return Chain(
        tuple(batch["batch_number"] for batch in batches),
        tuple(batch["id"] for batch in batches),
        container,
        (blend, cores, coated),
    )

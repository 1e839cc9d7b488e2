"""`stepwise trace`: the genealogy of a lot or a batch as a tree in the terminal."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.api.genealogy_chain import EXCIPIENT, four_level_chain
from tests.cli.test_cli import stepwise
from tests.client import ApiClient


async def test_trace_draws_forward_and_backward_trees_and_names_unknown_lots(
    api: ApiClient, database_url: str, tmp_path: Path
) -> None:
    await approved_procedure(api, "dispense_line.yaml")
    batch = await started_batch(api, "dispense-line", batch_size_kg=4.0)
    await complete(api, batch["id"], "scan_balance", values={"balance_id": "EQ-BAL-01"})
    dispensed = await complete(
        api,
        batch["id"],
        "weigh_mcc",
        values={"balance": "EQ-BAL-01", "lot": "MCC-2611-01", "mcc_kg": 2.0},
    )
    container = dispensed.body["container"]["number"]
    env = {**os.environ, "DATABASE_URL": database_url, "STEPWISE_DATA_DIR": str(tmp_path)}

    forward, backward, unknown = await asyncio.gather(
        asyncio.to_thread(stepwise, env, "trace", "lot", "MCC-2611-01"),
        asyncio.to_thread(stepwise, env, "trace", "batch", batch["batch_number"]),
        asyncio.to_thread(stepwise, env, "trace", "lot", "NO-SUCH-LOT"),
    )

    assert forward.returncode == 0, forward.stderr
    assert forward.stdout.splitlines() == [
        "lot MCC-2611-01  Microcrystalline cellulose PH-102  [released]",
        f"└── batch {batch['batch_number']}  Dispense line for tests  [in_progress]"
        "  dispensed at Dispense cellulose",
        f"    └── container {container}  Microcrystalline cellulose PH-102  [2.0 kg]"
        "  dispensed at Dispense cellulose",
    ]
    assert backward.returncode == 0, backward.stderr
    assert backward.stdout.splitlines()[1:] == [
        f"└── container {container}  Microcrystalline cellulose PH-102  [2.0 kg]"
        "  dispensed at Dispense cellulose",
        "    └── lot MCC-2611-01  Microcrystalline cellulose PH-102  [released]",
        "        └── supplier lot AV-7734201  Avicel Supply  [received]",
    ]
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "stepwise: There is no lot 'NO-SUCH-LOT'."


async def test_trace_recall_lists_every_batch_an_excipient_lot_reached_level_by_level(
    api: ApiClient, database_url: str, tmp_path: Path
) -> None:
    chain = await four_level_chain(api)
    env = {**os.environ, "DATABASE_URL": database_url, "STEPWISE_DATA_DIR": str(tmp_path)}

    recall, forward = await asyncio.gather(
        asyncio.to_thread(stepwise, env, "trace", "recall", EXCIPIENT),
        asyncio.to_thread(stepwise, env, "trace", "lot", EXCIPIENT),
    )

    assert recall.returncode == 0, recall.stderr
    dispensing, granulation, compression, coating = chain.batches
    blend, cores, coated = chain.lots
    lines = recall.stdout.splitlines()
    assert lines[1:5] == [
        f"level 1  batch {dispensing}  Dispense line for tests  [completed]  via {EXCIPIENT}"
        "  at Dispense cellulose",
        f"level 2  batch {granulation}  Chain granulation for tests  [completed]"
        f"  via {chain.container}  at Charge the granulator",
        f"level 3  batch {compression}  Chain compression for tests  [completed]  via {blend}"
        "  at Load the blend",
        f"level 4  batch {coating}  Chain coating for tests  [completed]  via {cores}"
        "  at Load the cores",
    ]
    assert [line.split()[2] for line in lines[5:]] == [blend, cores, coated]
    assert forward.returncode == 0, forward.stderr
    drawn = forward.stdout.splitlines()
    assert [line.split("── ")[-1].split("  ")[0] for line in drawn[1:]] == [
        f"batch {dispensing}",
        f"container {chain.container}",
        f"batch {granulation}",
        f"lot {blend}",
        f"batch {compression}",
        f"lot {cores}",
        f"batch {coating}",
        f"lot {coated}",
    ]
    assert drawn[4].endswith("produced at Discharge the blend")

"""`stepwise trace`: the genealogy of a lot or a batch as a tree in the terminal."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from tests.api.fixtures import approved_procedure, complete, started_batch
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
        f"└── container {container}  Microcrystalline cellulose PH-102  [2.0 kg]",
        f"    └── batch {batch['batch_number']}  Dispense line for tests  [in_progress]",
    ]
    assert backward.returncode == 0, backward.stderr
    assert backward.stdout.splitlines()[1:] == [
        f"└── container {container}  Microcrystalline cellulose PH-102  [2.0 kg]",
        "    └── lot MCC-2611-01  Microcrystalline cellulose PH-102  [released]",
        "        └── supplier lot AV-7734201  Avicel Supply  [received]",
    ]
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "stepwise: There is no lot 'NO-SUCH-LOT'."

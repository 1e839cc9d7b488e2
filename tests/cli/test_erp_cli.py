"""`stepwise orders import`, `stepwise materials import` and `stepwise epcis`: the same
documents as the API, from files, with one-line refusals."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from server.config import Settings
from tests.api.fixtures import approved_procedure
from tests.cli.test_cli import stepwise
from tests.client import ApiClient
from tests.orders.documents import BILLION_LAUGHS, material_information, production_schedule


async def test_orders_and_materials_import_from_files_once_and_lots_export_as_epcis(
    api: ApiClient, database_url: str, settings: Settings, tmp_path: Path
) -> None:
    await approved_procedure(api, "chain_granulation.yaml")
    env = {**os.environ, "DATABASE_URL": database_url, "STEPWISE_DATA_DIR": str(settings.data_dir)}
    schedule, materials, bomb = tmp_path / "po.xml", tmp_path / "mi.xml", tmp_path / "bomb.xml"
    schedule.write_bytes(production_schedule(("PO-9001", "G-9001")))
    materials.write_bytes(material_information("EXC-0555", "09506000130231", "TLC-2612-05"))
    bomb.write_bytes(BILLION_LAUGHS)

    def run(*args: str):  # type: ignore[no-untyped-def]
        return asyncio.to_thread(stepwise, env, *args)

    first = await run("orders", "import", str(schedule), "--as", "sam")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "order PO-9001: created"
    again = await run("orders", "import", str(schedule), "--as", "sam")
    assert again.stdout.strip() == "order PO-9001: unchanged"
    refused = await run("orders", "import", str(bomb), "--as", "sam")
    assert refused.returncode == 1
    assert "DTDs and entity declarations are refused" in refused.stderr
    operator = await run("orders", "import", str(schedule), "--as", "olivia")
    assert operator.returncode == 1 and "may not import orders" in operator.stderr

    lots = await run("materials", "import", str(materials), "--as", "quinn")
    assert lots.returncode == 0, lots.stderr
    assert lots.stdout.split("\n")[:2] == [
        "material EXC-0555: created",
        "lot TLC-2612-05: received",
    ]
    out = tmp_path / "lot.epcis.json"
    exported = await run("epcis", "lot", "TLC-2612-05", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    events = json.loads(out.read_text())["epcisBody"]["eventList"]
    assert [e["bizStep"] for e in events] == ["receiving"]
    order = (await api.get("/orders/PO-9001", "sam")).body
    assert order["source"] == "b2mml" and order["status"] == "planned"

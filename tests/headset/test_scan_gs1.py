"""A GS1 code scanned on the headset is read out: its GTIN, lot, expiry and serial, and whether
the material master knows the GTIN; the code still goes into the step's draft as scanned."""

from __future__ import annotations

from pathlib import Path

from tests.client import ApiClient
from tests.headset.support import granulation_batch, headset, say

KNOWN = "(01)09506000130118(10)AV-1(17)280630(21)S7"  # demo master: cellulose EXC-0101
UNKNOWN = "(01)09506000139999(10)X-1"


async def test_a_scanned_gs1_code_is_read_out_with_whether_its_gtin_is_known(
    api: ApiClient, tmp_path: Path
) -> None:
    base = str(api.client.make_url("/api/v1"))
    await granulation_batch(api, "G-GS1")
    async with headset(base, tmp_path / "outbox.db", camera=False) as operator:
        await say(operator, "batch G-GS1", "check all", "sign")
        known = await say(operator, f"scan granulator_id {KNOWN}")
        unknown = await say(operator, f"scan granulator_id {UNKNOWN}")
        plain = await say(operator, "scan granulator_id EQ-GRAN-01")
    assert known == [
        f"scanned {KNOWN} for granulator_id",
        "GS1: GTIN 09506000130118, lot AV-1, expiry 2028-06-30, serial S7",
        "GTIN 09506000130118 is in the material master",
    ]
    assert unknown[1:] == [
        "GS1: GTIN 09506000139999, lot X-1",
        "GTIN 09506000139999 is not in the material master",
    ]
    assert plain == ["scanned EQ-GRAN-01 for granulator_id"]

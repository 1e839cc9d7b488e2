"""Lot and container numbers people can read aloud and type: material code, day, sequence."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date

import pytest

from server.clock import utcnow
from server.config import SettingInvalid, Settings, settings_from_env
from server.ids import readable_number
from tests.api.traceability import received_lot
from tests.client import ApiClient


def _today() -> str:
    return utcnow().strftime("%y%m%d")


async def _next_seq(api: ApiClient, material: str) -> int:
    """The sequence the next lot of `material` gets: after those received today (the demo
    inventory's, under their own numbers, among them)."""
    lots = (await api.get(f"/lots?material={material}", "olivia")).body
    today = utcnow().date().isoformat()
    return 1 + sum(lot["received_at"].startswith(today) for lot in lots)


async def test_lots_are_numbered_by_material_day_and_sequence(api: ApiClient) -> None:
    mcc, lactose = await _next_seq(api, "EXC-0101"), await _next_seq(api, "EXC-0204")
    first = await received_lot(api, "EXC-0101", released=False)
    second = await received_lot(api, "EXC-0101", released=True)
    other = await received_lot(api, "EXC-0204", released=False)

    day = _today()
    assert [first["lot_number"], second["lot_number"], other["lot_number"]] == [
        f"EXC-0101-{day}-{mcc:03d}",
        f"EXC-0101-{day}-{mcc + 1:03d}",
        f"EXC-0204-{day}-{lactose:03d}",
    ]
    found = await api.get(f"/lots/{second['lot_number']}", "olivia")
    assert found.status == 200 and found.body["id"] == second["id"]


async def test_concurrent_receipts_of_one_material_get_distinct_consecutive_numbers(
    api: ApiClient,
) -> None:
    start = await _next_seq(api, "EXC-0310")
    lots = await asyncio.gather(*(received_lot(api, "EXC-0310", released=False) for _ in range(6)))

    numbers = sorted(lot["lot_number"] for lot in lots)
    assert numbers == [f"EXC-0310-{_today()}-{seq:03d}" for seq in range(start, start + 6)]


@pytest.fixture
async def patterned(aiohttp_client, settings: Settings) -> ApiClient:  # type: ignore[no-untyped-def]
    from server.app import create_app

    configured = replace(settings, lot_number_pattern="L{yymmdd}{material}{seq:04d}")
    return ApiClient(await aiohttp_client(create_app(configured)))


async def test_the_lot_number_pattern_is_configurable(patterned: ApiClient) -> None:
    seq = await _next_seq(patterned, "EXC-0415")
    lot = await received_lot(patterned, "EXC-0415", released=False)
    assert lot["lot_number"] == f"L{_today()}EXC-0415{seq:04d}"


def test_a_long_material_code_is_shortened_to_fit_a_gs1_lot() -> None:
    day = date(2026, 12, 7)
    number = readable_number("{material}-{yymmdd}-{seq:03d}", "STW-101-API", day, 3)
    assert number == "STW101API-261207-003" and len(number) == 20  # hyphens go first
    shortened = readable_number("{material}-{yymmdd}-C{seq:03d}", "STW-101-API", day, 3)
    assert shortened == "STW101AP-261207-C003"  # then the end
    # The final blend and the film-coated tablets differ only at the end: their lots too.
    blend, coated = (
        readable_number("{material}-{yymmdd}-{seq:03d}", code, day, 1)
        for code in ("STW-101-FB", "STW-101-FC")
    )
    assert (blend, coated) == ("STW101FB-261207-001", "STW101FC-261207-001")
    assert readable_number("{material}-{yymmdd}-{seq:03d}", "EXC-0101", day, 3) == (
        "EXC-0101-261207-003"  # a code that fits keeps its hyphens
    )


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("{material}-{yymmdd}", "needs {seq}"),
        ("{lot}-{seq}", "unknown placeholder(s) ['lot']"),
        ("{material}-{seq", "not a pattern"),
        ("{material}-{yymmdd}-{seq:030d}", "up to 20 letters, digits and hyphens"),
        ("{material}/{seq:03d}", "up to 20 letters, digits and hyphens"),
    ],
)
def test_an_unusable_pattern_is_refused_naming_the_variable(pattern: str, why: str) -> None:
    with pytest.raises(SettingInvalid) as refused:
        settings_from_env({"STEPWISE_LOT_NUMBER_PATTERN": pattern})
    assert "STEPWISE_LOT_NUMBER_PATTERN" in str(refused.value) and why in str(refused.value)


def test_patterns_are_read_from_the_environment() -> None:
    settings = settings_from_env(
        {
            "STEPWISE_LOT_NUMBER_PATTERN": "{yymmdd}-{seq:02d}",
            "STEPWISE_CONTAINER_NUMBER_PATTERN": "C{yymmdd}{seq:05d}",
        }
    )
    assert (settings.lot_number_pattern, settings.container_number_pattern) == (
        "{yymmdd}-{seq:02d}",
        "C{yymmdd}{seq:05d}",
    )

"""Process analytics over the demo history, whose answer is known: the granulation end-point
power drives the yield, the end-of-run hardness drifts, the dry-mix time does nothing."""

from __future__ import annotations

from typing import Any

import pytest

from server.config import Settings
from server.db.engine import open_database
from server.demo_history import seed_demo_history
from tests.client import ApiClient

GRANULATION = "/analytics/procedures/stw101-granulation"
COMPRESSION = "/analytics/procedures/stw101-compression"


@pytest.fixture
async def history(api: ApiClient, settings: Settings) -> ApiClient:
    database = open_database(settings.effective_database_url)
    try:
        assert await seed_demo_history(database, 60) == 180
    finally:
        await database.dispose()
    return api


async def _raw(api: ApiClient, path: str) -> tuple[int, str, bytes]:
    headers = {"Authorization": f"Bearer {await api.token('quinn')}"}
    async with api.client.get("/api/v1" + path, headers=headers) as response:
        return response.status, response.content_type, await response.read()


async def test_drivers_rank_the_hidden_parameter_first_and_not_the_idle_one(
    history: ApiClient,
) -> None:
    answer = await history.get(GRANULATION + "/outcomes/yield_pct/drivers", "quinn")

    assert answer.status == 200, answer.body
    ranked: list[dict[str, Any]] = answer.body["drivers"]
    assert ranked[0]["parameter"] == "end_power_kw"
    assert ranked[0]["significant"] and ranked[0]["r"] > 0.5
    idle = next(driver for driver in ranked if driver["parameter"] == "dry_mix_time_min")
    assert not idle["significant"]
    assert "output_kg" not in [driver["parameter"] for driver in ranked]  # yield's own input
    assert answer.body["model"]["parameters"] > 5
    assert answer.body["batches"] == 60


async def test_the_hardness_drift_trips_a_nelson_rule(history: ApiClient) -> None:
    answer = await history.get(COMPRESSION + "/parameters/end_hardness_n/trend", "olivia")

    assert answer.status == 200, answer.body
    rules = {fired["rule"] for fired in answer.body["rules_fired"]}
    assert rules & {2, 3, 5, 6}
    assert len(answer.body["points"]) == 60
    assert answer.body["ucl"] > answer.body["mean"] > answer.body["lcl"]
    capability = answer.body["capability"]
    assert capability["cpk"] is not None and capability["ppk"] is not None


async def test_table_lists_batches_with_parameters_outcomes_and_deviations(
    history: ApiClient,
) -> None:
    answer = await history.get(GRANULATION + "/table", "quinn")

    assert answer.status == 200
    columns = {column["name"]: column for column in answer.body["columns"]}
    assert columns["yield_pct"]["role"] == "outcome"
    assert columns["lod_pct"]["role"] == "outcome"
    assert columns["end_power_kw"] == {**columns["end_power_kw"], "role": "parameter", "unit": "kW"}
    batches = answer.body["batches"]
    assert len(batches) == 60 and {b["status"] for b in batches} == {"released", "completed"}
    assert sum(batch["deviations"] for batch in batches) >= 1
    status, media, body = await _raw(history, GRANULATION + "/table?format=csv")
    lines = body.decode().splitlines()
    assert (status, media, len(lines)) == (200, "text/csv", 61)
    assert lines[0].startswith("batch_number,version,status,") and "yield_pct [%]" in lines[0]


@pytest.mark.parametrize(
    ("path", "media", "magic"),
    [
        (GRANULATION + "/parameters/end_power_kw/trend?format=png", "image/png", b"\x89PNG"),
        (GRANULATION + "/outcomes/yield_pct/drivers?format=svg", "image/svg+xml", b"<?xml"),
        (
            GRANULATION + "/outcomes/yield_pct/scatter/end_power_kw?format=png",
            "image/png",
            b"\x89PNG",
        ),
    ],
)
async def test_charts_come_as_png_and_svg(
    history: ApiClient, path: str, media: str, magic: bytes
) -> None:
    status, content_type, body = await _raw(history, path)

    assert (status, content_type) == (200, media)
    assert body.startswith(magic)


async def test_unknown_names_and_formats_are_refused_saying_what(api: ApiClient) -> None:
    unknown = await api.get(GRANULATION + "/outcomes/end_power_kw/drivers", "quinn")
    assert unknown.status == 404 and "yield_pct" in unknown.body["detail"]
    bad = await api.get(GRANULATION + "/table?format=xlsx", "quinn")
    assert bad.status in (400, 422) and bad.body["errors"][0]["field"] == "format"
    missing = await api.get("/analytics/procedures/nope/table", "quinn")
    assert missing.status == 404


async def test_too_few_batches_are_said_in_words(api: ApiClient) -> None:
    answer = await api.get(GRANULATION + "/outcomes/yield_pct/drivers", "quinn")

    assert answer.status == 200
    assert answer.body["drivers"] == [] and "at least" in answer.body["messages"][0]

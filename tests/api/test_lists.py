"""Lists page with a cursor: every row once in a stable order, filters, Link and totals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.client import ApiClient
from tests.client import next_page as _next
from tests.quality.review_support import alert_deviation


async def walk(api: ApiClient, path: str, as_user: str = "sam") -> list[dict[str, Any]]:
    return await api.get_all(path, as_user)


async def _create(api: ApiClient, number: str, procedure: str = "test-line") -> dict[str, Any]:
    created = await api.post("/batches", "sam", {"procedure": procedure, "batch_number": number})
    assert created.status == 201, created.body
    return created.body


async def test_walking_the_batch_list_gives_every_batch_once_newest_first_while_batches_are_added(
    api: ApiClient,
) -> None:
    await approved_procedure(api, "test_line.yaml")
    before = [(await _create(api, f"WALK-{n:02}"))["id"] for n in range(7)]

    first = await api.get("/batches?limit=3", "sam")
    assert first.status == 200
    assert first.headers["X-Total-Count"] == "7"
    seen, following, added = list(first.body), _next(first), 0
    while following is not None:
        await _create(api, f"WALK-NEW-{added}")  # inserted between pages
        added += 1
        answer = await api.get(following, "sam")
        assert "X-Total-Count" not in answer.headers  # counted on the first page only
        seen += answer.body
        following = _next(answer)

    ids = [batch["id"] for batch in seen]
    assert ids == list(reversed(before))  # each once, newest first, none of the new ones
    assert len(await walk(api, "/batches?limit=4")) == 7 + added


async def test_a_batch_list_row_shows_its_current_step_progress_and_open_deviations(
    api: ApiClient,
) -> None:
    batch, _deviation = await alert_deviation(api)
    [row] = (await api.get(f"/batches?batch_number={batch['batch_number']}", "sam")).body
    record = (await api.get(f"/batches/{batch['id']}", "sam")).body
    for field in ("current_step", "current_step_title", "progress", "status", "procedure"):
        assert row[field] == record[field], field
    assert row["open_deviations"] == 1
    assert row["progress"]["completed"] == 2
    assert "steps" not in row


async def test_batches_filter_by_status_number_prefix_procedure_operator_date_and_deviations(
    api: ApiClient,
) -> None:
    alerted, _deviation = await alert_deviation(api)
    started = await started_batch(api)
    created = await _create(api, "PREFIX-1")
    await _create(api, "PREFIX-2")

    async def numbers(query: str) -> set[str]:
        return {b["batch_number"] for b in await walk(api, "/batches?" + query)}

    assert await numbers("status=created") == {"PREFIX-1", "PREFIX-2"}
    assert await numbers("status=in_progress,created") == {
        "PREFIX-1",
        "PREFIX-2",
        started["batch_number"],
        alerted["batch_number"],
    }
    assert await numbers("batch_number=PREFIX-") == {"PREFIX-1", "PREFIX-2"}
    assert await numbers("batch_number=PREFIX-1") == {"PREFIX-1"}
    assert await numbers("open_deviations=true") == {alerted["batch_number"]}
    assert alerted["batch_number"] not in await numbers("open_deviations=false")
    assert await numbers("operator=olivia") == {started["batch_number"], alerted["batch_number"]}
    assert await numbers("procedure=test-line&status=created") == {"PREFIX-1", "PREFIX-2"}
    assert await numbers("procedure=stw101-compression") == set()
    assert await numbers("product=no-such-product") == set()
    at = created["created_at"].replace("+00:00", "Z")
    assert "PREFIX-1" in await numbers(f"created_from={at}")
    assert "PREFIX-1" not in await numbers(f"created_before={at}")
    assert alerted["batch_number"] in await numbers(f"created_before={at}")


@pytest.mark.parametrize(
    "query,parameter",
    [
        ("/batches?limit=0", "limit"),
        ("/batches?limit=501", "limit"),
        ("/batches?limit=ten", "limit"),
        ("/batches?cursor=not-a-cursor", "cursor"),
        ("/batches?cursor=eyJsIjoibG90cyIsImsiOltdfQ", "cursor"),  # a cursor of the lot list
        ("/batches?status=finished", "status"),
        ("/batches?created_from=yesterday", "created_from"),
        ("/batches?open_deviations=maybe", "open_deviations"),
        ("/orders?cursor=not-a-cursor", "cursor"),
        ("/orders?cursor=eyJsIjoibG90cyIsImsiOltdfQ", "cursor"),
        ("/orders?limit=0", "limit"),
        ("/orders?status=finished", "status"),
    ],
)
async def test_a_bad_paging_parameter_or_filter_is_refused_naming_it(
    api: ApiClient, query: str, parameter: str
) -> None:
    answer = await api.get(query, "sam")
    assert answer.status == 422, answer.body
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert [error["field"] for error in answer.body["errors"]] == [parameter]


async def test_lots_filter_by_material_status_expiry_and_number_and_page(api: ApiClient) -> None:
    lots = await walk(api, "/lots?limit=2")
    assert lots, "the demo data receives lots"
    assert len({lot["id"] for lot in lots}) == len(lots)
    first = lots[0]
    by_material = await walk(api, f"/lots?material={first['material']['code']}")
    assert by_material and all(
        lot["material"]["id"] == first["material"]["id"] for lot in by_material
    )
    statuses = {lot["status"] for lot in lots}
    for status in statuses:
        assert {lot["id"] for lot in await walk(api, f"/lots?status={status}")} == {
            lot["id"] for lot in lots if lot["status"] == status
        }
    expiry = max(lot["expiry"] for lot in lots)
    assert {lot["id"] for lot in await walk(api, f"/lots?expiry_before={expiry}")} == {
        lot["id"] for lot in lots if lot["expiry"] < expiry
    }
    prefix = first["lot_number"]
    assert [lot["id"] for lot in await walk(api, f"/lots?lot_number={prefix}")] == [first["id"]]
    assert (await api.get("/lots?expiry_before=soon", "sam")).status == 422


async def test_the_audit_trail_filters_by_batch_actor_action_and_time_and_pages(
    api: ApiClient,
) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    await complete(api, batch["id"], "clearance", values={"area_clean": True})

    trail = await walk(api, f"/batches/{batch['id']}/audit?limit=2", "quinn")
    seqs = [entry["seq"] for entry in trail]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert {entry["action"] for entry in trail} >= {"batch.created", "batch.started"}

    site = await walk(api, f"/audit?batch_id={batch['id']}&limit=3", "quinn")
    assert [entry["seq"] for entry in site] == list(reversed(seqs))  # newest first
    by_olivia = await walk(api, f"/audit?batch_id={batch['id']}&actor=olivia", "quinn")
    assert by_olivia and all("olivia" in entry["actor"] for entry in by_olivia)
    created = await walk(api, "/audit?action=batch.created", "quinn")
    assert batch["id"] in {entry["entity_id"] for entry in created}
    assert {entry["action"] for entry in created} == {"batch.created"}
    last = trail[-1]["at"].replace("+00:00", "Z")
    assert await walk(api, f"/audit?batch_id={batch['id']}&from={last}", "quinn")
    assert (
        await walk(api, f"/audit?batch_id={batch['id']}&before={trail[0]['at']}", "quinn")
    ) == []
    assert (await api.get("/audit", "olivia")).status == 403


@pytest.mark.parametrize(
    "path", ["/procedures", "/materials", "/equipment", "/lots", "/deviations", "/audit"]
)
async def test_every_list_pages_with_link_and_total(api: ApiClient, path: str) -> None:
    await alert_deviation(api)
    whole = await walk(api, path + "?limit=500", "quinn")
    first = await api.get(path + "?limit=1", "quinn")
    assert first.headers["X-Total-Count"] == str(len(whole))
    assert (_next(first) is not None) == (len(whole) > 1)
    assert await walk(api, path + "?limit=1", "quinn") == whole


async def test_the_openapi_document_describes_paging_filters_and_the_link_header(
    api: ApiClient,
) -> None:
    document = (await api.get("/openapi.json", "sam")).body
    operation = document["paths"]["/api/v1/batches"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"limit", "cursor", "status", "batch_number", "open_deviations"} <= names
    assert {"Link", "X-Total-Count"} <= set(operation["responses"]["200"]["headers"])

"""The order list pages like every list: each order once, newest first, filtered by status
(bad paging parameters: tests/api/test_lists.py)."""

from __future__ import annotations

import pytest

from tests.api.fixtures import approved_procedure
from tests.client import ApiClient
from tests.orders.documents import order_json

NUMBERS = [f"PO-50{n:02}" for n in range(5)]


@pytest.fixture
async def five_orders(api: ApiClient) -> None:
    await approved_procedure(api, "chain_granulation.yaml")
    for number in NUMBERS:
        answer = await api.post("/orders", "sam", order_json(number, number.replace("PO", "G")))
        assert answer.status == 200, answer.body
    assert (await api.post(f"/orders/{NUMBERS[1]}/start", "sam")).status == 200


async def test_walking_the_order_list_one_at_a_time_gives_each_order_once_newest_first(
    api: ApiClient, five_orders: None
) -> None:
    first = await api.get("/orders?limit=1", "sam")
    assert first.status == 200, first.body
    assert first.headers["X-Total-Count"] == "5"
    assert 'rel="next"' in first.headers["Link"]
    walked = [order["order_number"] for order in await api.get_all("/orders?limit=1", "olivia")]
    assert walked == list(reversed(NUMBERS))


async def test_the_order_list_filters_by_status_across_pages(
    api: ApiClient, five_orders: None
) -> None:
    async def numbers(query: str) -> list[str]:
        return [order["order_number"] for order in await api.get_all(f"/orders?{query}", "sam")]

    assert await numbers("status=started&limit=1") == [NUMBERS[1]]
    planned = [n for n in reversed(NUMBERS) if n != NUMBERS[1]]
    assert await numbers("status=planned&limit=2") == planned
    assert await numbers("status=planned,started&limit=3") == list(reversed(NUMBERS))
    assert await numbers("status=completed") == []

"""The batch view follows the batch live: completions and deviations appear without reload."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from aiohttp.test_utils import TestClient
from playwright.async_api import Page, WebSocket, expect

from server.config import Settings
from tests.api.fixtures import complete
from tests.browser.support import (
    DASH,
    PageWatch,
    Site,
    line_batch,
    sign_in,
    start_server,
    wait_until_live,
)
from tests.client import ApiClient

pytestmark = [
    pytest.mark.asyncio(loop_scope="module"),
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]
# The page never polls, so whatever shows up without a reload came over its WebSocket. How
# soon is a benchmark's question, not a test's: this only bounds the wait on a loaded machine.
PUSHED = 5_000  # ms


async def test_a_step_completed_elsewhere_appears_with_its_deviation_without_a_reload(
    page: Page, site: Site, watch: PageWatch
) -> None:
    batch = await line_batch(site.api)
    await sign_in(page, "olivia", at=f"/#/batches/{batch['id']}")
    weigh = page.locator('[data-step="weigh"]')
    await expect(weigh.locator('[data-status="active"]')).to_be_visible()
    await expect(page.get_by_text("No deviations recorded in this batch.")).to_be_visible()
    await wait_until_live(page)

    # Omar completes the step on another device (bearer token), in the alert band.
    done = await complete(
        site.api,
        batch["id"],
        "weigh",
        as_user="omar",
        values={"net_kg": 10.6, "appearance": "conforms"},
        comment="Scale drift suspected",
    )
    assert done.status == 200 and done.body["result"] == "alert", done.body

    net = weigh.locator('tr[data-name="net_kg"]')
    await expect(net.locator(".values__value")).to_have_text("10.6 kg", timeout=PUSHED)
    await expect(net.locator(".values__result")).to_contain_text("Alert range")
    await expect(weigh.locator('[data-status="completed"]')).to_be_visible()
    await expect(weigh.locator(".step__who")).to_contain_text("Completed by Omar Operator (omar)")
    await expect(weigh.locator(".step__comment")).to_have_text("Comment: Scale drift suspected")
    deviation = weigh.locator(".deviation")
    await expect(deviation).to_contain_text("Minor", timeout=PUSHED)
    await expect(deviation).to_contain_text("10.6 kg is above the alert limit")
    await expect(page.locator(".deviations-summary")).to_contain_text("1 deviation, 1 open")
    bar = net.get_by_role("img")
    await expect(bar).to_have_attribute(
        "aria-label",
        f"10.6 kg: in the alert band; hard limits 9.0{DASH}11.0 kg, alert limits 9.5{DASH}10.5 kg.",
    )
    # The next step became active, also without a reload.
    verify = page.locator('[data-step="verify_weigh"]')
    await expect(verify.locator('[data-status="active"]')).to_be_visible(timeout=PUSHED)
    await watch.assert_clean()


async def test_a_lost_connection_shows_and_catches_up_by_itself(
    page: Page, site: Site, settings: Settings, watch: PageWatch
) -> None:
    batch = await line_batch(site.api)
    await sign_in(page, "quinn", at=f"/#/batches/{batch['id']}")
    await expect(page.locator('[data-step="weigh"] [data-status="active"]')).to_be_visible()
    await wait_until_live(page)
    server = site.api.client.server
    port = server.port

    await server.close()  # the server goes away: the page says so
    live = page.locator("#live-status")
    await expect(live).to_have_text("Reconnecting…")

    # Meanwhile a headset completes the step through another server on the same database.
    other = TestClient(await start_server(settings))
    try:
        values = {"net_kg": 10.1, "appearance": "conforms"}
        done = await complete(ApiClient(other), batch["id"], "weigh", values=values)
        assert done.status == 200, done.body
    finally:
        await other.close()

    back = await start_server(settings, port=port)  # the server is back where it was
    try:
        await expect(live).to_have_text("Live", timeout=10_000)
        value = page.locator('[data-step="weigh"] tr[data-name="net_kg"] .values__value')
        await expect(value).to_have_text("10.1 kg", timeout=PUSHED)
        # While the server was down, reconnection attempts (and a session check) were
        # refused: nothing else failed.
        watch.forget_unreachable()
        await watch.assert_clean()
    finally:
        await page.context.close()  # before the server, which would wait for its WebSocket
        await back.close()


async def test_a_page_opened_while_the_server_is_away_opens_when_it_is_back(
    page: Page, site: Site, settings: Settings, watch: PageWatch
) -> None:
    batch = await line_batch(site.api)
    await sign_in(page, "quinn")
    await wait_until_live(page)
    server = site.api.client.server
    port = server.port

    await server.close()
    await expect(page.locator("#live-status")).to_have_text("Reconnecting…")
    await page.evaluate("id => { location.hash = `#/batches/${id}`; }", batch["id"])
    await expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()

    back = await start_server(settings, port=port)
    try:
        step = page.locator('[data-step="weigh"] [data-status="active"]')
        await expect(step).to_be_visible(timeout=10_000)
        await expect(page.get_by_role("heading", name="Something went wrong")).to_have_count(0)
        watch.forget_unreachable()
        await watch.assert_clean()
    finally:
        await page.context.close()
        await back.close()


async def _soon(page: Page, condition: Callable[[], bool]) -> None:
    """Wait for the page's socket traffic (reported to the test a little after it happens)."""
    for _ in range(50):
        if condition():
            return
        await page.wait_for_timeout(100)
    raise AssertionError("not seen on the page's WebSocket")


async def test_a_reconnected_page_resumes_after_the_last_event_it_received(
    page: Page, site: Site, settings: Settings, watch: PageWatch
) -> None:
    batch = await line_batch(site.api)
    sent: list[dict] = []
    received: list[dict] = []

    def on_socket(socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: sent.append(json.loads(payload)))
        socket.on("framereceived", lambda payload: received.append(json.loads(payload)))

    page.on("websocket", on_socket)
    await sign_in(page, "quinn", at=f"/#/batches/{batch['id']}")
    # "Live" may come before the batch topic is subscribed (the page greets with no topics
    # and watches the batch once it has read it): wait for that subscription itself.
    topic = f"batch:{batch['id']}"
    await _soon(
        page,
        lambda: any(e.get("type") == "subscribed" and e.get("topic") == topic for e in received),
    )
    values = {"net_kg": 10.1, "appearance": "conforms"}
    assert (await complete(site.api, batch["id"], "weigh", values=values)).status == 200
    value = page.locator('[data-step="weigh"] tr[data-name="net_kg"] .values__value')
    await expect(value).to_have_text("10.1 kg", timeout=PUSHED)
    await _soon(page, lambda: any("seq" in event for event in received))
    last = max(event["seq"] for event in received if "seq" in event)
    server = site.api.client.server
    port = server.port

    await server.close()
    await expect(page.locator("#live-status")).to_have_text("Reconnecting…")
    other = TestClient(await start_server(settings))
    try:
        said = await ApiClient(other).post(f"/batches/{batch['id']}/chat", "omar", {"text": "hi"})
        assert said.status == 201, said.body
    finally:
        await other.close()

    back = await start_server(settings, port=port)
    try:
        await expect(page.locator("#live-status")).to_have_text("Live", timeout=10_000)
        resumed = {"subscribe": f"batch:{batch['id']}", "after": last}
        await _soon(page, lambda: any(event.get("type") == "chat" for event in received))
        assert resumed in sent
        assert [event["seq"] for event in received if event.get("type") == "chat"] == [last + 1]
        watch.forget_unreachable()
        await watch.assert_clean()
    finally:
        await page.context.close()
        await back.close()

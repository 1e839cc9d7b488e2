"""The operator page's service worker is served at the root, so its scope covers the page."""

from __future__ import annotations

from tests.client import ApiClient


async def test_the_service_worker_is_served_at_the_root_revalidated_with_the_security_headers(
    api: ApiClient,
) -> None:
    answer = await api.client.get("/service_worker.js")

    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/javascript")
    assert answer.headers["Cache-Control"] == "no-cache"
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    assert "stepwise-viewer" in await answer.text()

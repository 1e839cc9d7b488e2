"""Finding 13: a photo cut short is refused, not stored: every pixel is decoded first
(Pillow's `verify()` reads no JPEG data, so a truncated JPEG passed it)."""

from __future__ import annotations

from tests.client import ApiClient
from tests.conftest import SQLITE_ONLY
from tests.security.images import jpeg

pytestmark = SQLITE_ONLY  # refused before the database, or media: see SQLITE_ONLY


async def test_a_truncated_jpeg_is_refused_and_nothing_is_stored(api: ApiClient) -> None:
    whole = jpeg(640, 480)
    before = await api.get("/audit/verify", "quinn")

    answer = await api.call(
        "POST",
        "/media",
        "olivia",
        data=whole[: len(whole) // 2],
        headers={"Content-Type": "image/jpeg"},
    )

    assert answer.status == 422, answer.body
    assert "cut short" in answer.body["detail"]
    after = await api.get("/audit/verify", "quinn")
    assert after.body["entries"] == before.body["entries"]

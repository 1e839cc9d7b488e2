"""A new draft copied from an approved version: the editor's "New draft from this"."""

from __future__ import annotations

from tests.api.fixtures import signature
from tests.client import ApiClient


async def test_a_new_draft_copies_an_approved_version_as_the_next_number(api: ApiClient) -> None:
    first = await api.post("/procedures/x-1/versions", "alex", {"title": "X"})
    assert first.status == 201, first.body
    assert (await api.post("/procedures/x-1/versions/1/submit", "alex")).status == 200
    approved = await api.post(
        "/procedures/x-1/versions/1/approve", "quinn", {"signature": signature("quinn", "approved")}
    )
    assert approved.status == 200, approved.body

    second = await api.post("/procedures/x-1/versions", "alex", {"from_version": 1})

    assert second.status == 201, second.body
    assert (second.body["version"], second.body["status"]) == (2, "draft")
    assert second.body["definition"] == approved.body["definition"]

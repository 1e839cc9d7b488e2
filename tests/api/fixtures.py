"""Helpers that build real data through the API, as a client would."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.client import PASSWORDS, ApiClient

if TYPE_CHECKING:
    from server.config import Settings

DATA = Path(__file__).parent.parent / "data"


async def approved_procedure(api: ApiClient, filename: str) -> dict[str, Any]:
    """Load a test procedure as author `alex` and approve it as `quinn` (QA)."""
    source = (DATA / filename).read_text()
    loaded = await api.post("/procedures", "alex", {"filename": filename, "source": source})
    assert loaded.status == 201, loaded.body
    key, version = loaded.body["key"], loaded.body["version"]
    await submitted(api, key, version)
    approved = await api.post(
        f"/procedures/{key}/versions/{version}/approve",
        "quinn",
        {"signature": signature("quinn", "approved")},
    )
    assert approved.status == 200, approved.body
    return approved.body


async def submitted(api: ApiClient, key: str, version: int) -> dict[str, Any]:
    """Send a draft for review as its author `alex`."""
    answer = await api.post(f"/procedures/{key}/versions/{version}/submit", "alex")
    assert answer.status == 200, answer.body
    return answer.body


async def started_batch(
    api: ApiClient, procedure: str = "test-line", **parameters: Any
) -> dict[str, Any]:
    """Create (as supervisor `sam`) and start (as operator `olivia`) a batch."""
    created = await api.post(
        "/batches",
        "sam",
        {
            "procedure": procedure,
            "batch_number": f"B-{uuid.uuid4().hex[:8]}",
            "parameters": parameters,
        },
    )
    assert created.status == 201, created.body
    started = await api.post(f"/batches/{created.body['id']}/start", "olivia")
    assert started.status == 200, started.body
    return started.body


def signature(username: str, meaning: str) -> dict[str, str]:
    return {"username": username, "password": PASSWORDS[username], "meaning": meaning}


async def complete(
    api: ApiClient, batch_id: str, step_id: str, as_user: str = "olivia", **body: Any
) -> Any:
    return await api.post(f"/batches/{batch_id}/steps/{step_id}/complete", as_user, body)


async def audit_where(settings: Settings, condition: Any) -> list[dict[str, Any]]:
    """The audit entries matching `condition` (on AuditEntry), oldest first, as dicts."""
    from sqlalchemy import select

    from server.audit.models import AuditEntry
    from server.db.engine import open_database

    database = open_database(settings.effective_database_url)
    try:
        async with database.sessions(readonly=True)() as session:
            entries = await session.scalars(
                select(AuditEntry).where(condition).order_by(AuditEntry.seq)
            )
            return [
                {
                    "action": e.action,
                    "actor": e.actor,
                    "new": json.loads(e.new) if e.new else None,
                    "reason": e.reason,
                }
                for e in entries
            ]
    finally:
        await database.dispose()

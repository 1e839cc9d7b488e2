"""What the account tests share: users by name and the audit entries about a user."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from server.audit.models import AuditEntry
from server.web.keys import DATABASE
from tests.client import ApiClient


async def user_ids(api: ApiClient) -> dict[str, str]:
    listed = await api.get("/users", "ada")
    assert listed.status == 200, listed.body
    return {user["username"]: user["id"] for user in listed.body}


async def user_audit(api: ApiClient, user_id: str) -> list[dict[str, Any]]:
    """The audit entries about a user, oldest first, with old and new read back."""
    database = api.client.app[DATABASE]
    async with database.sessions(readonly=True)() as session:
        entries = await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity_type == "user", AuditEntry.entity_id == user_id)
            .order_by(AuditEntry.seq)
        )
        return [
            {
                "actor": entry.actor,
                "action": entry.action,
                "old": json.loads(entry.old) if entry.old else None,
                "new": json.loads(entry.new) if entry.new else None,
                "reason": entry.reason,
            }
            for entry in entries
        ]


async def sign_in(api: ApiClient, username: str, password: str) -> Any:
    return await api.call(
        "POST", "/auth/login", None, json={"username": username, "password": password}
    )

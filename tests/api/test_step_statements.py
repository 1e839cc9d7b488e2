"""What completing a plain step costs the database, counted on the server's own engines."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from server.db.engine import Database
from server.web.keys import DATABASE
from server.webhooks.context import SENDER_TASK
from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.client import ApiClient

# Per completion of a data-entry step that activates the next one, with an idempotency key
# (bench/README.md, "Step completion", says what each statement is for). PostgreSQL sends
# one more than SQLite: the NOTIFY that carries the events to every server process.
STATEMENTS = {"sqlite": 10, "postgresql": 10}


@contextmanager
def statements_of(database: Database) -> Iterator[list[str]]:
    """Every SQL statement the server sends while inside; transaction control (BEGIN, which
    only SQLite's driver sends as a statement, and COMMIT) is not counted."""
    sent: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        task = asyncio.current_task()
        if task is not None and task.get_name() == SENDER_TASK:
            return  # the webhook sender, woken by the step's events, is not the request
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT")):
            sent.append(statement)

    engines = {database.writer.sync_engine, database.reader.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


async def test_completing_a_plain_step_takes_a_fixed_few_statements(api: ApiClient) -> None:
    database = api.client.app[DATABASE]
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    await api.token("olivia")

    with statements_of(database) as sent:
        answer = await api.post(
            f"/batches/{batch['id']}/steps/weigh/complete",
            "olivia",
            {"values": {"net_kg": 10.0, "appearance": "conforms"}},
            headers={"Idempotency-Key": "weigh-1"},
        )

    assert answer.status == 200, answer.body
    assert answer.body["result"] == "ok" and answer.body["next_step"] == "verify_weigh"
    backend = "postgresql" if database.is_postgres else "sqlite"
    assert len(sent) <= STATEMENTS[backend], "\n".join(sent)


async def test_the_lean_path_records_what_the_full_record_shows(api: ApiClient) -> None:
    await approved_procedure(api, "test_line.yaml")
    batch = await started_batch(api)
    await complete(api, batch["id"], "clearance", values={"area_clean": True})
    done = await complete(
        api, batch["id"], "weigh", values={"net_kg": 10.0, "appearance": "conforms"}
    )
    assert done.status == 200, done.body

    record = (await api.get(f"/batches/{batch['id']}", "olivia")).body
    steps = {step["step_id"]: step for step in record["steps"]}
    weigh = steps["weigh"]
    assert weigh["state"] == "completed" and weigh["completed_by"]["username"] == "olivia"
    assert weigh["completed_at"] is not None
    assert weigh["values"] == {"net_kg": 10.0, "appearance": "conforms"}
    assert steps["verify_weigh"]["state"] == "active"
    assert steps["verify_weigh"]["activated_at"] is not None
    assert steps["clearance"]["state"] == "completed"
    assert record["current_step"] == "verify_weigh"
    verified = await api.get("/audit/verify", "quinn")
    assert verified.status == 200 and verified.body["ok"] is True, verified.body

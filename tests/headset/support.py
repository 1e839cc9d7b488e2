"""Helpers for the headset tests: real data over HTTP, headsets driven by their own words."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from headset_client.actions import Operator
from headset_client.camera.live import LiveCamera
from headset_client.camera.synthetic import SyntheticCamera
from headset_client.commands import parse_command
from headset_client.session import HeadsetSession, SessionOptions
from tests.client import PASSWORDS, ApiClient
from tests.system.server_process import RemoteClient

DATA = Path(__file__).parent / "data"
PROCEDURE = "headset-line"

# A whole headset-line batch as an operator says it: an alert value with its comment, a
# conditional step that is skipped, a photo, a verification by the supervisor, a signature.
RUN = (
    ("clearance", ["check all", "confirm"]),
    ("weigh", ["value 10.7", "value conforms", "comment slightly above, re-weighed", "confirm"]),
    ("mix", ["value 5", "value remark mixed at 200 rpm", "confirm"]),
    ("photo_granules", ["photo", "confirm"]),
    ("yield_calc", ["value 9.9", "confirm"]),
    ("verify_weigh", [f"verify sam {PASSWORDS['sam']}"]),
    ("sign_off", ["sign"]),
)


def lines_of(*step_ids: str) -> list[str]:
    """The RUN lines of these steps, in order."""
    return [line for step_id, lines in RUN if step_id in step_ids for line in lines]


ALL_LINES = [line for _, lines in RUN for line in lines]


async def prepare(base: str, *batch_numbers: str) -> dict[str, str]:
    """Approve headset-line (alex loads, quinn approves) and create batches (as sam), not
    started: the headset starts them. Returns batch ids by number."""
    async with aiohttp.ClientSession() as http:
        client = RemoteClient(http, base)
        for user in ("alex", "quinn", "sam"):
            await client.login(user)
        source = (DATA / "headset_line.yaml").read_text()
        status, loaded = await client.call(
            "POST", "/procedures", "alex", json={"filename": "headset_line.yaml", "source": source}
        )
        assert status == 201, loaded
        status, submitted = await client.call(
            "POST", f"/procedures/{PROCEDURE}/versions/{loaded['version']}/submit", "alex"
        )
        assert status == 200, submitted
        approval = {
            "signature": {
                "username": "quinn",
                "password": PASSWORDS["quinn"],
                "meaning": "approved",
            }
        }
        status, approved = await client.call(
            "POST",
            f"/procedures/{PROCEDURE}/versions/{loaded['version']}/approve",
            "quinn",
            json=approval,
        )
        assert status == 200, approved
        ids = {}
        for number in batch_numbers:
            status, batch = await client.call(
                "POST", "/batches", "sam", json={"procedure": PROCEDURE, "batch_number": number}
            )
            assert status == 201, batch
            ids[number] = batch["id"]
        return ids


async def fetch(base: str, *paths: str, username: str = "quinn") -> Any:
    """GET each path as a demo user, directly (never through a test proxy); one path: its
    document, several: a list of them."""
    async with aiohttp.ClientSession() as http:
        client = RemoteClient(http, base)
        await client.login(username)
        documents = []
        for path in paths:
            status, body = await client.call("GET", path, username)
            assert status == 200, body
            documents.append(body)
    return documents[0] if len(paths) == 1 else documents


@asynccontextmanager
async def headset(
    base: str,
    outbox: Path,
    *,
    username: str = "olivia",
    camera: bool = True,
    patient: bool = True,
    wait_seconds: float = 30.0,
) -> AsyncIterator[Operator]:
    """A signed-in headset (its own client session), with a synthetic camera."""
    options = SessionOptions(
        server=base,
        username=username,
        password=PASSWORDS[username],
        outbox_path=outbox,
        patient=patient,
        wait_seconds=wait_seconds,
        retry_seconds=0.3,
        request_seconds=5.0,
    )
    live = LiveCamera(SyntheticCamera()) if camera else None
    async with aiohttp.ClientSession() as http:
        session = HeadsetSession(options, http)
        await session.open()
        try:
            yield Operator(session, live)
        finally:
            await session.close()
            if live is not None:
                live.close()


async def say(operator: Operator, *lines: str) -> list[str]:
    """Say each line to the headset; everything it answered."""
    answered = []
    for line in lines:
        command = parse_command(line)
        assert command is not None, line
        answered += await operator.execute(command)
    return answered


def record_summary(record: dict[str, Any]) -> dict[str, Any]:
    """What must be the same in two runs of the same work: everything but ids and times."""
    return {
        "status": record["status"],
        "steps": [
            {
                "step_id": step["step_id"],
                "state": step["state"],
                "values": step["values"],
                "sources": step["sources"],
                "calculated": step["calculated"],
                "completed_by": (step["completed_by"] or {}).get("username"),
                "comment": step["comment"],
                "history": sorted((h["name"], h["revision"]) for h in step["history"]),
                "signatures": [(s["username"], s["meaning"]) for s in step["signatures"]],
                "deviations": [
                    (d["kind"], d["field"], d["value"], d["severity"], d["comment"])
                    for d in step["deviations"]
                ],
            }
            for step in record["steps"]
        ],
        "deviations": [(d["step_id"], d["kind"], d["field"]) for d in record["deviations"]],
    }


async def assert_recorded_once(base: str, batch_id: str) -> None:
    """Each completed step has exactly one completion in the audit trail; the chain holds."""
    record, audit, verified = await fetch(
        base, f"/batches/{batch_id}", f"/batches/{batch_id}/audit", "/audit/verify"
    )
    completions = [e for e in audit if e["action"] == "step.completed"]
    completed = [s["step_id"] for s in record["steps"] if s["state"] == "completed"]
    assert sorted(e["new"]["step_id"] for e in completions) == sorted(completed)
    assert [e["action"] for e in audit].count("batch.started") == 1
    assert verified["ok"] is True, verified


async def granulation_batch(api: ApiClient, number: str) -> str:
    """A created (not started) granulation batch, by the supervisor; its id."""
    created = await api.post(
        "/batches",
        "sam",
        {"procedure": "stw101-granulation", "batch_number": number, "parameters": {}},
    )
    assert created.status == 201, created.body
    return created.body["id"]

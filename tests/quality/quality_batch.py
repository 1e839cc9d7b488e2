"""The quality-line batch of issue 11's proof, and a QA reviewer who took no part in it."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import approved_procedure, complete, started_batch
from tests.client import Answer, ApiClient

RITA = {"username": "rita", "password": "rita-reviews-batches-1"}


async def second_reviewer(api: ApiClient) -> dict[str, str]:
    """A QA reviewer who took no part in the batch, signed in: her bearer header."""
    created = await api.post(
        "/users", "ada", {**RITA, "full_name": "Rita Reviewer", "roles": ["qa"]}
    )
    assert created.status == 201, created.body
    login = await api.call("POST", "/auth/login", None, json=RITA)
    assert login.status == 200, login.body
    return {"Authorization": f"Bearer {login.body['token']}"}


def rita_signs(meaning: str) -> dict[str, str]:
    return {**RITA, "meaning": meaning}


async def as_rita(
    api: ApiClient, rita: dict[str, str], method: str, path: str, body: Any = None
) -> Answer:
    return await api.call(method, path, None, headers=rita, json=body)


async def run_quality_batch(api: ApiClient) -> str:
    """Execute quality-line with every kind of exception; the batch's id."""
    await approved_procedure(api, "quality_line.yaml")
    batch_id = (await started_batch(api, "quality-line", batch_size_kg=4.0))["id"]
    steps = [
        ("scan_balance", "olivia", {"values": {"balance_id": "EQ-BAL-01"}}),
        (
            "weigh_mcc",
            "olivia",
            {
                "values": {"balance": "EQ-BAL-01", "lot": "MCC-2611-01", "mcc_kg": 2.0},
                "comment": "Balance display broken: weighed on the reference balance",
            },
        ),
        ("mix", "quinn", {}),
        ("granulate", "olivia", {"values": {"water_l": 2.5}, "comment": "Dry powder lot"}),
        ("torque", "olivia", {"values": {"torque_nm": 12}, "comment": "Motor warm"}),
    ]
    for step_id, who, body in steps:
        done = await complete(api, batch_id, step_id, who, **body)
        assert done.status == 200, (step_id, done.body)
    return batch_id

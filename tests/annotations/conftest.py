"""A started batch of the test line for the annotation tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.fixtures import approved_procedure, started_batch
from tests.client import ApiClient


@pytest.fixture
async def batch(api: ApiClient) -> dict[str, Any]:
    await approved_procedure(api, "test_line.yaml")
    return await started_batch(api)

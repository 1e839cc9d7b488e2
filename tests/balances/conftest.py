"""A simulated balance served on a real local TCP port for each test."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from server.balances.simulator import SimulatedBalance, serve_balance
from tests.balances import SETTLE


@pytest.fixture
def balance() -> SimulatedBalance:
    """A 220 g balance that settles quickly, keeping tests fast."""
    return SimulatedBalance("B123456789", capacity=Decimal("220"), settle_seconds=SETTLE)


@pytest.fixture
async def address(balance: SimulatedBalance) -> AsyncIterator[tuple[str, int]]:
    """Where `balance` is served."""
    async with serve_balance(balance) as bound:
        yield bound

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from decimal import Decimal

import pytest

from server.balances import (
    BalanceClient,
    BalanceCommandRefused,
    BalanceNotStable,
    BalanceOverload,
    BalanceProtocolError,
    BalanceUnderload,
    BalanceUnreachable,
    Reading,
    read_stable_weight,
)
from server.balances.mtsics import Command
from server.balances.simulator import SimulatedBalance, serve_balance
from tests.balances import SETTLE

Address = tuple[str, int]


def elapsed_since(start: float) -> float:
    return asyncio.get_running_loop().time() - start


def now() -> float:
    return asyncio.get_running_loop().time()


async def test_stable_weight_waits_until_the_load_has_settled(
    balance: SimulatedBalance, address: Address
) -> None:
    async with BalanceClient(*address) as client:
        balance.place(Decimal("100"))
        start = now()
        reading = await client.stable_weight()
    assert reading == Reading(Decimal("100.00"), "g", stable=True)
    assert elapsed_since(start) >= SETTLE


async def test_weight_now_is_unstable_before_settling_and_stable_after(
    balance: SimulatedBalance, address: Address
) -> None:
    async with BalanceClient(*address) as client:
        balance.place(Decimal("99.87"))
        moving = await client.weight_now()
        await asyncio.sleep(SETTLE)
        settled = await client.weight_now()
    assert moving == Reading(Decimal("99.87"), "g", stable=False)
    assert settled == Reading(Decimal("99.87"), "g", stable=True)


async def test_tare_stores_the_container_so_readings_are_net(
    balance: SimulatedBalance, address: Address
) -> None:
    async with BalanceClient(*address) as client:
        balance.place(Decimal("25.5"))
        tare = await client.tare()
        balance.place(Decimal("125.75"))
        net = await client.stable_weight()
        balance.remove()
        emptied = await client.stable_weight()
    assert tare == Reading(Decimal("25.50"), "g", stable=True)
    assert net.value == Decimal("100.25")
    assert emptied.value == Decimal("-25.50")


async def test_zero_sets_a_new_zero_point_and_clears_the_tare(
    balance: SimulatedBalance, address: Address
) -> None:
    async with BalanceClient(*address) as client:
        balance.place(Decimal("10"))
        await client.tare()
        balance.place(Decimal("12"))
        await client.zero()
        at_zero = await client.stable_weight()
        balance.place(Decimal("15"))
        above_zero = await client.stable_weight()
    assert at_zero.value == Decimal("0.00")
    assert above_zero.value == Decimal("3.00")


async def test_serial_number_identifies_the_balance(address: Address) -> None:
    async with BalanceClient(*address) as client:
        assert await client.serial_number() == "B123456789"


async def test_overload_is_reported_to_the_operator(
    balance: SimulatedBalance, address: Address
) -> None:
    balance.place(Decimal("220.01"))
    async with BalanceClient(*address) as client:
        with pytest.raises(BalanceOverload) as stable:
            await client.stable_weight()
        with pytest.raises(BalanceOverload):
            await client.weight_now()
    assert stable.value.address == f"{address[0]}:{address[1]}"
    assert str(stable.value) == (
        f"balance {address[0]}:{address[1]} is overloaded: remove load from the pan"
    )


async def test_underload_is_reported_when_the_pan_is_lifted(
    balance: SimulatedBalance, address: Address
) -> None:
    balance.place(Decimal("-5"))
    async with BalanceClient(*address) as client:
        with pytest.raises(BalanceUnderload, match="weighing pan is in place"):
            await client.stable_weight()


async def test_taring_an_overloaded_pan_is_refused_and_keeps_the_tare(
    balance: SimulatedBalance, address: Address
) -> None:
    async with BalanceClient(*address) as client:
        balance.place(Decimal("300"))
        with pytest.raises(BalanceCommandRefused) as refused:
            await client.tare()
        balance.place(Decimal("50"))
        reading = await client.stable_weight()
    assert (refused.value.command, refused.value.response) == ("T", "T +")
    assert reading.value == Decimal("50.00")


async def test_a_command_the_model_lacks_is_refused_with_command_and_response() -> None:
    level_zero = SimulatedBalance("L0", supported=frozenset(Command) - {Command.TARE})
    async with serve_balance(level_zero) as address, BalanceClient(*address) as client:
        with pytest.raises(BalanceCommandRefused) as refused:
            await client.tare()
        assert (await client.stable_weight()).value == Decimal("0.00")
    assert (refused.value.command, refused.value.response) == ("T", "ES")
    assert "command not recognised" in str(refused.value)


async def test_unreachable_balance_fails_fast_with_its_address() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = now()
    with pytest.raises(BalanceUnreachable) as unreachable:
        async with BalanceClient("127.0.0.1", port, timeout=2.0):
            pass
    assert elapsed_since(start) < 1.0
    assert unreachable.value.address == f"127.0.0.1:{port}"
    assert str(unreachable.value).startswith(f"balance 127.0.0.1:{port} is unreachable: ")


async def test_a_load_that_never_settles_in_time_is_not_stable_and_the_client_recovers() -> None:
    slow = SimulatedBalance("SLOW", settle_seconds=0.4)
    async with serve_balance(slow) as address, BalanceClient(*address, timeout=0.1) as client:
        slow.place(Decimal("42"))
        start = now()
        with pytest.raises(BalanceNotStable) as not_stable:
            await client.stable_weight()
        assert 0.1 <= elapsed_since(start) < 0.3
        await asyncio.sleep(0.4)
        assert (await client.stable_weight()).value == Decimal("42.00")
    assert str(not_stable.value) == f"balance {address[0]}:{address[1]} did not settle within 0.1 s"


async def test_a_balance_that_keeps_answering_not_stable_times_out_as_not_stable() -> None:
    shaky = SimulatedBalance("SHAKY", settle_seconds=0.05, stability_timeout=0.02)
    async with serve_balance(shaky) as address:

        async def keep_moving() -> None:
            for step in range(100):
                shaky.place(Decimal(step))
                await asyncio.sleep(0.01)

        mover = asyncio.create_task(keep_moving())
        try:
            async with BalanceClient(*address, timeout=0.3) as client:
                with pytest.raises(BalanceNotStable):
                    await client.tare()
        finally:
            mover.cancel()
    assert shaky.net == shaky.gross  # no tare was taken


async def test_two_clients_read_the_same_balance_at_once(
    balance: SimulatedBalance, address: Address
) -> None:
    balance.place(Decimal("12.3"))
    start = now()
    async with BalanceClient(*address) as first, BalanceClient(*address) as second:
        readings = await asyncio.gather(first.stable_weight(), second.stable_weight())
        serials = await asyncio.gather(first.serial_number(), second.serial_number())
    assert readings == [Reading(Decimal("12.30"), "g", stable=True)] * 2
    assert serials == ["B123456789"] * 2
    assert elapsed_since(start) < 2 * SETTLE + 0.5


async def test_concurrent_commands_on_one_client_get_their_own_replies(
    balance: SimulatedBalance, address: Address
) -> None:
    balance.place(Decimal("7"))
    async with BalanceClient(*address) as client:
        weight, serial = await asyncio.gather(client.stable_weight(), client.serial_number())
    assert (weight.value, serial) == (Decimal("7.00"), "B123456789")


async def test_read_stable_weight_connects_reads_and_closes(
    balance: SimulatedBalance, address: Address
) -> None:
    balance.place(Decimal("1.5"))
    assert await read_stable_weight(*address) == Reading(Decimal("1.50"), "g", stable=True)


async def test_closing_twice_is_safe_and_a_closed_client_refuses_commands(
    address: Address,
) -> None:
    client = BalanceClient(*address)
    async with client:
        pass
    await client.aclose()
    with pytest.raises(BalanceUnreachable, match="closed"):
        await client.weight_now()


@asynccontextmanager
async def fake_balance(
    answer: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[Address]:
    """A TCP server misbehaving as `answer` says, for faults the simulator does not make."""

    async def session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await answer(reader, writer)
        finally:
            writer.close()
            with suppress(ConnectionError):
                await writer.wait_closed()

    server = await asyncio.start_server(session, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[:2]


async def test_a_reply_that_is_not_mt_sics_is_a_protocol_error() -> None:
    async def garble(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()
        writer.write(b"HELLO WORLD\r\n")
        await writer.drain()

    async with fake_balance(garble) as address, BalanceClient(*address) as client:
        with pytest.raises(BalanceProtocolError) as garbled:
            await client.weight_now()
    assert (garbled.value.command, garbled.value.response) == ("SI", "HELLO WORLD")


async def test_a_silent_balance_is_unreachable_after_the_timeout() -> None:
    async def ignore(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()

    async with fake_balance(ignore) as address, BalanceClient(*address, timeout=0.1) as client:
        with pytest.raises(BalanceUnreachable, match=r"no answer to 'I4' within 0\.1 s"):
            await client.serial_number()


async def test_a_balance_hanging_up_is_unreachable() -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readline()

    async with fake_balance(hang_up) as address, BalanceClient(*address) as client:
        with pytest.raises(BalanceUnreachable, match="the balance hung up"):
            await client.weight_now()

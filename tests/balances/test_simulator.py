import asyncio
from decimal import Decimal

from server.balances.simulator import SimulatedBalance, serve_balance
from tests.balances import SETTLE

Address = tuple[str, int]


async def converse(address: Address, *commands: bytes) -> list[str]:
    """Send raw command lines to the simulator; its reply lines, as sent, without CR LF."""
    reader, writer = await asyncio.open_connection(*address)
    try:
        replies = []
        for command in commands:
            writer.write(command)
            await writer.drain()
            line = await asyncio.wait_for(reader.readuntil(b"\r\n"), 1.0)
            replies.append(line.decode("latin-1").removesuffix("\r\n"))
        return replies
    finally:
        writer.close()
        await writer.wait_closed()


async def test_replies_follow_the_mt_sics_line_format(
    balance: SimulatedBalance, address: Address
) -> None:
    balance.place(Decimal("100"))
    replies = await converse(address, b"SI\r\n", b"S\r\n", b"T\r\n", b"Z\r\n", b"I4\r\n")
    assert replies == [
        "S D     100.00 g",
        "S S     100.00 g",
        "T S     100.00 g",
        "Z A",
        'I4 A "B123456789"',
    ]


async def test_unknown_or_lower_case_commands_are_answered_es(address: Address) -> None:
    assert await converse(address, b"XYZ\r\n", b"s\r\n", b"\r\n") == ["ES", "ES", "ES"]


async def test_reset_clears_the_tare_and_answers_the_serial_number(
    balance: SimulatedBalance, address: Address
) -> None:
    balance.place(Decimal("30"))
    replies = await converse(address, b"T\r\n", b"@\r\n", b"S\r\n")
    assert replies == ["T S      30.00 g", 'I4 A "B123456789"', "S S      30.00 g"]


async def test_overload_and_underload_are_reported_immediately(
    balance: SimulatedBalance, address: Address
) -> None:
    balance.place(Decimal("500"))
    overloaded = await converse(address, b"S\r\n", b"SI\r\n", b"T\r\n", b"Z\r\n")
    balance.place(Decimal("-1"))
    underloaded = await converse(address, b"S\r\n", b"Z\r\n")
    assert overloaded == ["S +", "S +", "T +", "Z +"]
    assert underloaded == ["S -", "Z -"]


async def test_stable_weight_is_not_executable_if_the_load_does_not_settle_in_time() -> None:
    slow = SimulatedBalance("SLOW", settle_seconds=1.0, stability_timeout=SETTLE)
    async with serve_balance(slow) as address:
        slow.place(Decimal("5"))
        assert await converse(address, b"S\r\n", b"T\r\n") == ["S I", "T I"]


async def test_readings_are_rounded_to_the_resolution_in_the_balance_unit() -> None:
    kilo = SimulatedBalance("KG", unit="kg", capacity=Decimal("30"), decimals=3, settle_seconds=0)
    async with serve_balance(kilo) as address:
        kilo.place(Decimal("12.34567"))
        tared = await converse(address, b"S\r\n", b"T\r\n")
        kilo.place(Decimal("12.3456"))
        assert await converse(address, b"S\r\n") == ["S S      0.000 kg"]  # never "-0.000"
    assert tared == ["S S     12.346 kg", "T S     12.346 kg"]


async def test_serving_stops_cleanly_with_a_client_waiting_for_stability() -> None:
    slow = SimulatedBalance("SLOW", settle_seconds=10.0)
    async with serve_balance(slow) as address:
        slow.place(Decimal("5"))
        reader, writer = await asyncio.open_connection(*address)
        writer.write(b"S\r\n")
        await writer.drain()
        await asyncio.sleep(SETTLE)
    assert await reader.read() == b""
    writer.close()
    await writer.wait_closed()

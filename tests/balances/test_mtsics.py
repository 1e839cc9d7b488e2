from decimal import Decimal

import pytest

from server.balances.mtsics import (
    Command,
    ErrorCode,
    ErrorReply,
    Reading,
    Reply,
    Status,
    decode_line,
    encode_command,
    encode_reply,
    format_reply,
    parse_reply,
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("S S      100.00 g", Reading(Decimal("100.00"), "g", stable=True)),
        ("S D      99.87 g", Reading(Decimal("99.87"), "g", stable=False)),
        ("S S     -12.34 g", Reading(Decimal("-12.34"), "g", stable=True)),
        ("S D   -0.0051 kg", Reading(Decimal("-0.0051"), "kg", stable=False)),
        ("S S      250.1 mg", Reading(Decimal("250.1"), "mg", stable=True)),
        ("S S          0 g", Reading(Decimal("0"), "g", stable=True)),
        ("T S      12.50 g", Reading(Decimal("12.50"), "g", stable=True)),
    ],
)
def test_weight_replies_parse_to_readings(line: str, expected: Reading) -> None:
    reply = parse_reply(line + "\r\n")
    assert isinstance(reply, Reply)
    assert reply.identifier == line.split()[0]
    assert reply.reading == expected
    assert reply.reading.stable is (reply.status is Status.STABLE)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("S I", Reply("S", Status.NOT_EXECUTABLE)),
        ("S +", Reply("S", Status.ABOVE_RANGE)),
        ("S -", Reply("S", Status.BELOW_RANGE)),
        ("T I", Reply("T", Status.NOT_EXECUTABLE)),
        ("Z A", Reply("Z", Status.DONE)),
        ("Z +", Reply("Z", Status.ABOVE_RANGE)),
        ('I4 A "B123456789"', Reply("I4", Status.DONE, text="B123456789")),
        ('I4 A "SN 0042 A"', Reply("I4", Status.DONE, text="SN 0042 A")),
        ("ES", ErrorReply(ErrorCode.SYNTAX)),
        ("ET", ErrorReply(ErrorCode.TRANSMISSION)),
        ("EL", ErrorReply(ErrorCode.LOGICAL)),
    ],
)
def test_status_text_and_error_replies_parse(line: str, expected: Reply | ErrorReply) -> None:
    assert parse_reply(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "",
        "S",
        "S X 1.00 g",
        "S S",
        "S S 1.00",
        "S S abc g",
        "S S 1e3 g",
        "S S NaN g",
        "S S 1.00 g extra",
        "Z A 1.00 g",
        'I4 A "unterminated',
        "S I 1.00 g",
        "EX",
    ],
)
def test_malformed_replies_are_rejected(line: str) -> None:
    with pytest.raises(ValueError, match=r"MT-SICS|expected|unexpected"):
        parse_reply(line)


@pytest.mark.parametrize(
    "reply",
    [
        Reply("S", Status.STABLE, reading=Reading(Decimal("100.00"), "g", stable=True)),
        Reply("S", Status.DYNAMIC, reading=Reading(Decimal("-3.5"), "kg", stable=False)),
        Reply("T", Status.STABLE, reading=Reading(Decimal("0.125"), "mg", stable=True)),
        Reply("Z", Status.DONE),
        Reply("S", Status.ABOVE_RANGE),
        Reply("I4", Status.DONE, text="B123456789"),
        ErrorReply(ErrorCode.SYNTAX),
    ],
)
def test_formatted_replies_parse_back_to_the_same_reply(reply: Reply | ErrorReply) -> None:
    assert parse_reply(format_reply(reply)) == reply
    assert decode_line(encode_reply(reply)) == format_reply(reply)


def test_weight_values_are_right_aligned_in_ten_characters() -> None:
    reading = Reading(Decimal("-12.34"), "g", stable=True)
    assert format_reply(Reply("S", Status.STABLE, reading=reading)) == "S S     -12.34 g"


def test_commands_are_sent_as_one_line_ended_by_cr_lf() -> None:
    assert encode_command(Command.STABLE_WEIGHT) == b"S\r\n"
    assert encode_command(Command.WEIGHT_NOW) == b"SI\r\n"
    assert encode_command(Command.RESET) == b"@\r\n"


def test_replies_echo_the_command_except_si_and_reset() -> None:
    assert [command.reply_id for command in Command] == ["S", "S", "T", "Z", "I4", "I4"]
    assert {c for c in Command if c.waits_for_stability} == {
        Command.STABLE_WEIGHT,
        Command.TARE,
        Command.ZERO,
    }

import datetime as dt

import pytest

from media.exceptions import Gs1Invalid
from media.gs1 import Gs1Data, element_string, looks_like_gs1, parse_gs1

GTIN = "09506000134352"
ENCODED = "01" + GTIN + "17270531" + "10L123\x1d" + "21C-000123"


def test_element_string_puts_fixed_length_first_and_ends_variable_ones_with_gs():
    text = element_string(
        "9506000134352", lot="L123", expiry=dt.date(2027, 5, 31), serial="C-000123"
    )

    assert text == ENCODED


def test_element_string_parses_back_to_the_same_fields():
    data = parse_gs1(ENCODED)

    assert data == Gs1Data(
        gtin=GTIN,
        lot="L123",
        expiry=dt.date(2027, 5, 31),
        serial="C-000123",
        elements={"01": GTIN, "17": "270531", "10": "L123", "21": "C-000123"},
    )


@pytest.mark.parametrize("prefix", ["]d2", "]C1", "]Q3", "\x1d"])
def test_symbology_identifier_or_leading_fnc1_is_accepted(prefix):
    assert parse_gs1(prefix + ENCODED) == parse_gs1(ENCODED)


def test_human_readable_interpretation_is_parsed():
    data = parse_gs1("(01)09506000134352(10)L123(17)270531(21)C-000123")

    assert (data.gtin, data.lot, data.expiry, data.serial) == (
        GTIN,
        "L123",
        dt.date(2027, 5, 31),
        "C-000123",
    )


def test_hri_of_parsed_data_parses_back_to_it():
    data = parse_gs1(ENCODED)

    assert data.hri() == "(01)09506000134352(17)270531(10)L123(21)C-000123"
    assert parse_gs1(data.hri()) == data


def test_digital_link_uri_is_parsed_with_path_and_query_elements():
    data = parse_gs1("https://id.gs1.org/01/09506000134352/10/L123/21/C-000123?17=270531")

    assert (data.gtin, data.lot, data.expiry, data.serial) == (
        GTIN,
        "L123",
        dt.date(2027, 5, 31),
        "C-000123",
    )


def test_expiry_day_00_means_last_day_of_the_month():
    assert parse_gs1("0109506000134352" + "17280200").expiry == dt.date(2028, 2, 29)


def test_wrong_gtin_check_digit_is_refused_with_the_reason():
    with pytest.raises(Gs1Invalid) as refused:
        parse_gs1("0109506000134353" + "10L123")

    assert "check digit" in refused.value.reason
    assert "09506000134353" in refused.value.reason


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "no GS1 element strings"),
        ("2312345", "Application Identifier"),
        ("01095060001343", "Failed to match"),
        ("0109506000134352" + "17271331", "Failed to match"),
        ("0109506000134352" + "17270230", "date"),
        ("(01)09506000134352(23)1", "Unknown GS1 Application Identifier"),
        ("]Q1EQ-BAL-001", "does not carry GS1 data"),
        ("0109506000134352" + "10L1\x1d10L2", "appears twice"),
    ],
)
def test_malformed_gs1_is_refused_with_a_reason(text, why):
    with pytest.raises(Gs1Invalid) as refused:
        parse_gs1(text)

    assert why in refused.value.reason


def test_without_its_separator_a_lot_swallows_the_serial():
    # Why decoders must keep the GS: without it the lot runs on into the serial.
    data = parse_gs1(ENCODED.replace("\x1d", ""))

    assert data.lot == "L12321C-000123"
    assert data.serial is None


@pytest.mark.parametrize(
    ("arguments", "why"),
    [
        ({"gtin": "09506000134353"}, "check digit"),
        ({"gtin": "95060001343"}, "Expected 8, 12, 13, or 14 digits"),
        ({"gtin": GTIN, "lot": "L" * 21}, "Failed to match"),
        ({"gtin": GTIN, "lot": "L1\x1d21X"}, "Failed to match"),
        ({"gtin": GTIN, "serial": ""}, "Failed to match"),
        ({"gtin": GTIN, "expiry": dt.date(2090, 1, 31)}, "two-digit years"),
    ],
)
def test_element_string_refuses_what_gs1_cannot_carry(arguments, why):
    with pytest.raises(Gs1Invalid) as refused:
        element_string(**arguments)

    assert why in refused.value.reason


@pytest.mark.parametrize(
    "text",
    [
        "]d2" + ENCODED,
        "]C1" + ENCODED,
        "]Q3" + ENCODED,
        "\x1d" + ENCODED,
        "(01)09506000134352",
        "https://id.gs1.org/01/09506000134352/10/L123",
        "https://example.com/products/01/09506000134352?17=270531",
        ENCODED,
    ],
)
def test_gs1_data_looks_like_gs1(text):
    assert looks_like_gs1(text)


@pytest.mark.parametrize(
    "text",
    [
        "EQ-BAL-001",
        "stepwise:container:C-123",
        "https://stepwise.example/containers/C-123",
        "0109506000134353",
        "01234",
        "",
    ],
)
def test_plain_codes_do_not_look_like_gs1(text):
    assert not looks_like_gs1(text)


def test_to_json_gives_an_iso_expiry():
    assert parse_gs1(ENCODED).to_json() == {
        "gtin": GTIN,
        "lot": "L123",
        "expiry": "2027-05-31",
        "serial": "C-000123",
        "elements": {"01": GTIN, "17": "270531", "10": "L123", "21": "C-000123"},
    }

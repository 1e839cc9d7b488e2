"""GS1 data carried by labels and scanned codes: GTIN, lot, expiry and serial, parsed with biip.

Three spellings of the same data are accepted: the element string a scanner returns (fixed-length
AIs run on, variable-length ones end with a GS character standing for FNC1), the human-readable
interpretation "(01)…(10)…" printed under a symbol, and a GS1 Digital Link URI.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from biip import ParseError
from biip.checksums import gs1_standard_check_digit
from biip.gs1_digital_link_uris import GS1DigitalLinkURI
from biip.gs1_element_strings import GS1ElementString, GS1ElementStrings
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin
from biip.symbology import GS1Symbology, SymbologyIdentifier

from media.exceptions import Gs1Invalid

GROUP_SEPARATOR = "\x1d"
"""What scanners send for FNC1: it ends a variable-length element that is not last."""

_GS1_SYMBOLOGY_IDS = ("]d2", "]C1", "]Q3", "]e0", "]J1")
_DIGITAL_LINK = re.compile(r"https?://[^/?#]+/(?:[^?#]*/)?01/\d{8,14}(?:[/?#]|$)", re.IGNORECASE)
_AI_GTIN, _AI_LOT, _AI_EXPIRY, _AI_SERIAL = "01", "10", "17", "21"


@dataclass(frozen=True)
class Gs1Data:
    """The traceability fields of a GS1 message, plus every element by AI in message order."""

    gtin: str | None
    lot: str | None
    expiry: dt.date | None
    serial: str | None
    elements: dict[str, str] = field(default_factory=dict)

    def hri(self) -> str:
        """The human-readable interpretation printed under a symbol: "(01)…(17)…(10)…"."""
        return "".join(f"({ai}){value}" for ai, value in self.elements.items())

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict; the expiry as an ISO date."""
        return {
            "gtin": self.gtin,
            "lot": self.lot,
            "expiry": None if self.expiry is None else self.expiry.isoformat(),
            "serial": self.serial,
            "elements": dict(self.elements),
        }


def parse_gs1(text: str) -> Gs1Data:
    """Parse an element string (optionally after a ]d2/]C1/]Q3 identifier), an HRI or a
    Digital Link URI. An expiry with day 00 is the last day of its month (GS1 rule).

    Raises `Gs1Invalid` for a wrong check digit, an unknown AI, a truncated element, a bad date.
    """
    try:
        elements = _element_strings(text)
    except ParseError as exc:
        raise Gs1Invalid(str(exc)) from exc
    return _gs1_data(elements)


def looks_like_gs1(text: str) -> bool:
    """Cheap test whether `text` is meant as GS1 data rather than a plain code such as
    "EQ-BAL-001"; `parse_gs1` still decides whether it is valid."""
    if text.startswith((*_GS1_SYMBOLOGY_IDS, GROUP_SEPARATOR, "(01)")):
        return True
    if _DIGITAL_LINK.match(text):
        return True
    gtin = text[2:16]
    return (
        text.startswith("01")
        and len(gtin) == 14
        and gtin.isascii()
        and gtin.isdigit()
        and gs1_standard_check_digit(gtin[:-1]) == int(gtin[-1])
    )


def element_string(
    gtin: str,
    lot: str | None = None,
    expiry: dt.date | None = None,
    serial: str | None = None,
) -> str:
    """The element string to encode in a GS1 DataMatrix: (01) GTIN-14 and (17) expiry first,
    then (10) lot and (21) serial, separated by GS. Raises `Gs1Invalid` for a wrong GTIN
    check digit, a lot or serial outside GS1 character set 82 or longer than 20, or an expiry
    that two-digit years cannot express."""
    try:
        fields = [(_AI_GTIN, Gtin.parse(gtin).as_gtin_14())]
    except ParseError as exc:
        raise Gs1Invalid(str(exc)) from exc
    if expiry is not None:
        fields.append((_AI_EXPIRY, expiry.strftime("%y%m%d")))
    if lot is not None:
        fields.append((_AI_LOT, lot))
    if serial is not None:
        fields.append((_AI_SERIAL, serial))
    try:
        elements = GS1ElementStrings(GS1ElementString.parse(ai + value) for ai, value in fields)
    except ParseError as exc:
        raise Gs1Invalid(str(exc)) from exc
    text = GS1Message.from_element_strings(elements).value
    if parse_gs1(text).expiry != expiry:
        raise Gs1Invalid(f"expiry {expiry} is outside the window of GS1 two-digit years")
    return text


def _element_strings(text: str) -> GS1ElementStrings:
    body = text.strip()
    if body.startswith("]"):
        symbology = SymbologyIdentifier.extract(body)
        body = body[len(symbology) :]
        if symbology.gs1_symbology in GS1Symbology.with_gs1_messages():
            return GS1Message.parse(body).element_strings
        if not _is_uri(body):
            raise Gs1Invalid(f"symbology {symbology.value} does not carry GS1 data")
    if body.startswith("("):
        return GS1Message.parse_hri(body).element_strings
    if _is_uri(body):
        return GS1DigitalLinkURI.parse(body).element_strings
    return GS1Message.parse(body).element_strings


def _is_uri(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def _gs1_data(elements: GS1ElementStrings) -> Gs1Data:
    if not elements:
        raise Gs1Invalid("no GS1 element strings")
    values: dict[str, str] = {}
    expiry: dt.date | None = None
    for element in elements:
        # biip records a wrong check digit instead of raising; for us it is fatal.
        check_error = element.gtin_error or element.sscc_error or element.gln_error
        if check_error:
            raise Gs1Invalid(check_error)
        ai = element.ai.ai
        if values.setdefault(ai, element.value) != element.value:
            raise Gs1Invalid(f"application identifier {ai} appears twice with different values")
        if ai == _AI_EXPIRY:
            expiry = element.date
    return Gs1Data(
        gtin=values.get(_AI_GTIN),
        lot=values.get(_AI_LOT),
        expiry=expiry,
        serial=values.get(_AI_SERIAL),
        elements=values,
    )

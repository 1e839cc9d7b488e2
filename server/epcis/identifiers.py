"""GS1 identifiers as EPC URIs (GS1 Tag Data Standard): a lot of a trade item is an LGTIN
class, a dispensed container (the lot's GTIN with the container number as serial, AI 21)
an SGTIN instance. The company prefix's length comes from GS1's prefix table (biip)."""

from __future__ import annotations

from urllib.parse import quote

from biip.gtin import Gtin

# UN/CEFACT Rec. 20 codes of the units quantities are kept in.
UOM = {"kg": "KGM", "g": "GRM", "mg": "MGM"}
# What is not GS1-identified (a material without a GTIN, a batch) gets a URN of ours.
LOCAL = "urn:stepwise"


def _split(gtin: str) -> tuple[str, str]:
    """The GTIN-14's company prefix and its item reference with the indicator digit first."""
    parsed = Gtin.parse(gtin)
    digits = parsed.as_gtin_14()
    prefix = parsed.company_prefix.value if parsed.company_prefix else digits[1:8]
    return prefix, digits[0] + digits[1 + len(prefix) : 13]


def _part(text: str) -> str:
    """A lot number or serial as TDS allows it in a URI (other characters %-escaped)."""
    return quote(text, safe="!'()*+,-.:;=_")


def lot_class(gtin: str | None, lot_number: str) -> str:
    """`urn:epc:class:lgtin:CompanyPrefix.IndicatorItemRef.Lot`."""
    if gtin is None:
        return f"{LOCAL}:lot:{_part(lot_number)}"
    prefix, item = _split(gtin)
    return f"urn:epc:class:lgtin:{prefix}.{item}.{_part(lot_number)}"


def serial_instance(gtin: str | None, serial: str) -> str:
    """`urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial`."""
    if gtin is None:
        return f"{LOCAL}:container:{_part(serial)}"
    prefix, item = _split(gtin)
    return f"urn:epc:id:sgtin:{prefix}.{item}.{_part(serial)}"


def batch_uri(batch_number: str) -> str:
    """The transformation a batch is (its inputs and outputs share this id)."""
    return f"{LOCAL}:batch:{_part(batch_number)}"

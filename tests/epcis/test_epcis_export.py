"""Genealogy as GS1 EPCIS 2.0: a batch's (upstream) and a lot's (downstream) documents
validate against the official EPCIS 2.0 JSON schema and name lots and containers by their
GS1 identifiers (LGTIN, SGTIN)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.api.genealogy_chain import EXCIPIENT, LACTOSE, four_level_chain
from tests.client import ApiClient

SCHEMA = json.loads(
    (Path(__file__).parents[1] / "data" / "epcis" / "EPCIS-JSON-Schema.json").read_text()
)
MCC_CLASS = "urn:epc:class:lgtin:95060001301.01.MCC-2611-01"  # GTIN 09506000130118


def _valid(document: dict[str, Any]) -> list[dict[str, Any]]:
    validator = jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert not errors, errors
    return document["epcisBody"]["eventList"]


def _transformation(events: list[dict[str, Any]], batch_number: str) -> dict[str, Any]:
    (found,) = [
        e for e in events if e.get("transformationID") == f"urn:stepwise:batch:{batch_number}"
    ]
    return found


async def test_a_batch_and_a_lot_export_as_valid_epcis_with_gs1_identifiers(
    api: ApiClient,
) -> None:
    chain = await four_level_chain(api)
    answer = await api.get(f"/batches/{chain.batch_ids[-1]}/epcis.json", "quinn")
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Type"].startswith("application/ld+json")
    events = _valid(answer.body)

    assert {_transformation(events, n)["type"] for n in chain.batches} == {"TransformationEvent"}
    dispensing = _transformation(events, chain.batches[0])
    assert dispensing["inputQuantityList"] == [
        {"epcClass": MCC_CLASS, "quantity": 2.0, "uom": "KGM"}
    ]
    container = dispensing["outputEPCList"][0]
    assert container == f"urn:epc:id:sgtin:95060001301.01.{chain.container}"
    granulation = _transformation(events, chain.batches[1])
    assert granulation["inputEPCList"] == [container]
    assert granulation["inputQuantityList"][0]["epcClass"].endswith(f".{LACTOSE}")
    assert granulation["outputQuantityList"] == [
        {"epcClass": f"urn:epc:class:lgtin:95060001301.07.{chain.lots[0]}",
         "quantity": 3.9, "uom": "KGM"}
    ]  # fmt: skip
    received = [e for e in events if e.get("bizStep") == "receiving"]
    assert {"epcClass": MCC_CLASS, "quantity": 50.0, "uom": "KGM"} in [
        e["quantityList"][0] for e in received
    ]
    released = [e for e in events if e.get("disposition") == "conformant"]
    assert {e["quantityList"][0]["epcClass"].rsplit(".", 1)[1] for e in released} >= {
        EXCIPIENT,
        *chain.lots[:2],
    }

    forward = await api.get(f"/lots/{EXCIPIENT}/epcis.json", "quinn")
    assert forward.status == 200
    downstream = _valid(forward.body)
    assert {e["transformationID"] for e in downstream if "transformationID" in e} == {
        f"urn:stepwise:batch:{number}" for number in chain.batches
    }
    again = await api.get(f"/lots/{EXCIPIENT}/epcis.json", "quinn")
    assert [e["eventID"] for e in again.body["epcisBody"]["eventList"]] == [
        e["eventID"] for e in downstream
    ]


@pytest.mark.parametrize("path", ["/batches/NOPE/epcis.json", "/lots/NOPE/epcis.json"])
async def test_an_unknown_batch_or_lot_is_404(api: ApiClient, path: str) -> None:
    assert (await api.get(path, "quinn")).status == 404

"""ERP documents for the tests: orders and material information, as JSON and as B2MML."""

from __future__ import annotations

from typing import Any

B2MML_NS = "http://www.mesa.org/xml/B2MML"


def order_json(number: str, batch_number: str, **changes: Any) -> dict[str, Any]:
    """A granulation order reserving lactose lot LAC-2611-01 (demo inventory)."""
    return {
        "order_number": number,
        "product": "STW-101-FB",
        "procedure": "chain-granulation",
        "planned_quantity": "4",
        "unit": "kg",
        "batch_number": batch_number,
        "materials": [{"material": "EXC-0204", "lot": "LAC-2611-01", "quantity": "1.5"}],
        **changes,
    }


def _request(number: str, batch_number: str, lot: str = "LAC-2611-01") -> str:
    return f"""
  <ProductionRequest>
    <ID>{number}</ID>
    <ProductProductionRuleID>chain-granulation</ProductProductionRuleID>
    <SegmentRequirement>
      <ID>granulation</ID>
      <MaterialProducedRequirement>
        <MaterialDefinitionID>STW-101-FB</MaterialDefinitionID>
        <MaterialLotID>{batch_number}</MaterialLotID>
        <Quantity><QuantityString>4</QuantityString><UnitOfMeasure>kg</UnitOfMeasure></Quantity>
      </MaterialProducedRequirement>
      <MaterialConsumedRequirement>
        <MaterialDefinitionID>EXC-0204</MaterialDefinitionID>
        <MaterialLotID>{lot}</MaterialLotID>
        <Quantity><QuantityString>1500</QuantityString><UnitOfMeasure>g</UnitOfMeasure></Quantity>
      </MaterialConsumedRequirement>
    </SegmentRequirement>
  </ProductionRequest>"""


def production_schedule(*requests: tuple[str, str]) -> bytes:
    body = "".join(_request(number, batch) for number, batch in requests)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ProductionSchedule xmlns="{B2MML_NS}">'
        f"<ID>PS-1</ID>{body}\n</ProductionSchedule>"
    ).encode()


def material_information(material: str, gtin: str, lot: str) -> bytes:
    return f"""<?xml version="1.0"?>
<MaterialInformation xmlns="{B2MML_NS}">
  <MaterialDefinition>
    <ID>{material}</ID>
    <Description>Talc, purified</Description>
    <MaterialDefinitionProperty><ID>GTIN</ID><Value><ValueString>{gtin}</ValueString></Value></MaterialDefinitionProperty>
  </MaterialDefinition>
  <MaterialLot>
    <ID>{lot}</ID>
    <MaterialDefinitionID>{material}</MaterialDefinitionID>
    <Quantity><QuantityString>25</QuantityString><UnitOfMeasure>kg</UnitOfMeasure></Quantity>
    <MaterialLotProperty><ID>SupplierID</ID><Value><ValueString>Imerys</ValueString></Value></MaterialLotProperty>
    <MaterialLotProperty><ID>SupplierLotID</ID><Value><ValueString>IM-7781</ValueString></Value></MaterialLotProperty>
    <MaterialLotProperty><ID>ExpirationDate</ID><Value><ValueString>2029-06-30</ValueString></Value></MaterialLotProperty>
  </MaterialLot>
</MaterialInformation>""".encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<ProductionSchedule><ProductionRequest><ID>&lol3;</ID></ProductionRequest></ProductionSchedule>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<ProductionSchedule><ProductionRequest><ID>&x;</ID></ProductionRequest></ProductionSchedule>"""

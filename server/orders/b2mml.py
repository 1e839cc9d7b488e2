"""Reading ISA-95 B2MML messages: ProductionSchedule (orders) and MaterialInformation
(MaterialDefinition, MaterialLot), the commonest an ERP sends.

Parsed with defusedxml, DTDs refused outright: a document declaring entities (billion
laughs, external entities) is refused before anything is expanded. Elements are matched by
local name, so the B2MML namespace (or none) is accepted. Every refusal names the element
by its path, e.g. `ProductionSchedule/ProductionRequest[2]/SegmentRequirement/...`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from server.orders.documents import (
    LotSpec,
    MaterialInformation,
    MaterialSpec,
    OrderSpec,
    ReservationSpec,
)
from server.orders.exceptions import DocumentRefused

UNITS = frozenset({"mg", "g", "kg"})
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$")
_GTIN = re.compile(r"^\d{14}$")


def _local(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def parse(raw: bytes) -> Element:
    """The document's root element; DocumentRefused when it is not safe, well-formed XML."""
    try:
        return fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise DocumentRefused(
            "document", f"DTDs and entity declarations are refused ({type(exc).__name__})",
            "entities_refused",
        ) from exc  # fmt: skip
    except ParseError as exc:
        line, column = exc.position
        raise DocumentRefused(
            f"line {line}, column {column}", f"not well-formed XML: {exc}", "malformed_xml"
        ) from exc


class _Node:
    """An element and its path, with readers that refuse clearly."""

    def __init__(self, element: Element, path: str) -> None:
        self.element = element
        self.path = path

    def children(self, name: str) -> list[_Node]:
        found = [child for child in self.element if _local(child) == name]
        if len(found) == 1:
            return [_Node(found[0], f"{self.path}/{name}")]
        return [_Node(child, f"{self.path}/{name}[{n}]") for n, child in enumerate(found, 1)]

    def child(self, name: str) -> _Node | None:
        found = self.children(name)
        return found[0] if found else None

    def need(self, name: str) -> _Node:
        found = self.child(name)
        if found is None:
            raise DocumentRefused(f"{self.path}/{name}", "this element is required", "missing")
        return found

    def text(self, name: str, *, required: bool = True) -> str | None:
        node = self.need(name) if required else self.child(name)
        if node is None:
            return None
        value = (node.element.text or "").strip()
        if not value and required:
            raise DocumentRefused(node.path, "this element must not be empty", "missing")
        return value or None

    def code(self, name: str, *, required: bool = True) -> str | None:
        value = self.text(name, required=required)
        if value is not None and not _CODE.match(value):
            raise DocumentRefused(
                f"{self.path}/{name}",
                f"{value!r} is not an identifier (letters, digits, . _ / -, up to 64)",
                "invalid_identifier",
            )
        return value

    def quantity(self) -> tuple[Decimal, str]:
        """`Quantity/QuantityString` (positive) and `Quantity/UnitOfMeasure` (mg, g, kg)."""
        quantity = self.need("Quantity")
        text = quantity.text("QuantityString")
        try:
            value = Decimal(text or "")
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value <= 0:
            raise DocumentRefused(
                f"{quantity.path}/QuantityString", f"{text!r} is not a positive number", "invalid"
            )
        unit = quantity.text("UnitOfMeasure") or ""
        if unit not in UNITS:
            raise DocumentRefused(
                f"{quantity.path}/UnitOfMeasure", f"{unit!r} is not one of mg, g, kg", "invalid"
            )
        return value, unit

    def properties(self, name: str) -> dict[str, tuple[str, str]]:
        """`<name><ID>k</ID><Value><ValueString>v</ValueString></Value></name>` as
        {k: (v, path of the value)}."""
        found: dict[str, tuple[str, str]] = {}
        for prop in self.children(name):
            key = prop.text("ID") or ""
            value = prop.need("Value")
            found[key] = (value.text("ValueString") or "", f"{value.path}/ValueString")
        return found


def _root(raw: bytes, names: tuple[str, ...]) -> _Node:
    root = parse(raw)
    if _local(root) not in names:
        raise DocumentRefused(
            _local(root), f"the root element must be one of {', '.join(names)}", "unknown_root"
        )
    return _Node(root, _local(root))


def _parameter_value(text: str) -> Any:
    try:
        number = float(text)
    except ValueError:
        return {"true": True, "false": False}.get(text.lower(), text)
    return int(number) if number.is_integer() and "." not in text else number


def _order(request: _Node) -> OrderSpec:
    segment = request.need("SegmentRequirement")
    produced = segment.need("MaterialProducedRequirement")
    quantity, unit = produced.quantity()
    reservations = []
    paths = {
        "procedure": f"{request.path}/ProductProductionRuleID",
        "product": f"{produced.path}/MaterialDefinitionID",
        "batch_number": f"{produced.path}/MaterialLotID",
        "parameters": f"{segment.path}/SegmentParameter",
    }
    for n, consumed in enumerate(segment.children("MaterialConsumedRequirement")):
        paths[f"reservations.{n}.material"] = f"{consumed.path}/MaterialDefinitionID"
        paths[f"reservations.{n}.lot"] = f"{consumed.path}/MaterialLotID"
        needed, needed_unit = consumed.quantity()
        reservations.append(
            ReservationSpec(
                material=consumed.code("MaterialDefinitionID") or "",
                quantity=needed,
                unit=needed_unit,
                lot=consumed.code("MaterialLotID", required=False),
            )
        )
    parameters = {
        parameter.text("ID") or "": _parameter_value(
            parameter.need("Value").text("ValueString") or ""
        )
        for parameter in segment.children("SegmentParameter")
    }
    return OrderSpec(
        order_number=request.code("ID") or "",
        product=produced.code("MaterialDefinitionID") or "",
        procedure=request.code("ProductProductionRuleID") or "",
        planned_quantity=quantity,
        unit=unit,
        batch_number=produced.code("MaterialLotID") or "",
        parameters=parameters,
        reservations=tuple(reservations),
        at=request.path,
        paths=paths,
    )


def orders(raw: bytes) -> list[OrderSpec]:
    """The orders of a ProductionSchedule (or of one ProductionRequest): per request, its ID
    is the order number, ProductProductionRuleID the procedure, the first
    SegmentRequirement's MaterialProducedRequirement the product, batch number
    (MaterialLotID) and planned quantity, its MaterialConsumedRequirements the reserved
    materials and lots, its SegmentParameters the batch parameters."""
    root = _root(raw, ("ProductionSchedule", "ProductionRequest"))
    requests = [root] if _local(root.element) == "ProductionRequest" else None
    if requests is None:
        requests = root.children("ProductionRequest")
        if not requests:
            root.need("ProductionRequest")
    return [_order(request) for request in requests]


def _date(text: str, path: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise DocumentRefused(path, f"{text!r} is not a date (YYYY-MM-DD)", "invalid") from exc


def _material(node: _Node) -> MaterialSpec:
    properties = node.properties("MaterialDefinitionProperty")
    gtin = properties.get("GTIN")
    if gtin is not None and not _GTIN.match(gtin[0]):
        raise DocumentRefused(gtin[1], f"{gtin[0]!r} is not a GTIN-14", "invalid")
    unit = properties.get("UnitOfMeasure", ("kg", ""))
    if unit[0] not in UNITS:
        raise DocumentRefused(unit[1], f"{unit[0]!r} is not one of mg, g, kg", "invalid")
    code = node.code("ID") or ""
    return MaterialSpec(
        code=code,
        name=(node.text("Description", required=False) or code)[:200],
        unit=unit[0],
        gtin=gtin[0] if gtin else None,
        at=node.path,
    )


def _lot(node: _Node) -> LotSpec:
    properties = node.properties("MaterialLotProperty")

    def needed(key: str) -> tuple[str, str]:
        if key not in properties or not properties[key][0]:
            raise DocumentRefused(
                f"{node.path}/MaterialLotProperty[ID={key}]", "this property is required",
                "missing",
            )  # fmt: skip
        return properties[key]

    quantity, _unit = node.quantity()
    expiry = needed("ExpirationDate")
    retest = properties.get("RetestDate")
    lot_number = node.code("ID") or ""
    if len(lot_number) > 20:
        raise DocumentRefused(f"{node.path}/ID", "a lot number has at most 20 characters")
    return LotSpec(
        lot_number=lot_number,
        material=node.code("MaterialDefinitionID") or "",
        supplier=needed("SupplierID")[0][:200],
        supplier_lot=needed("SupplierLotID")[0][:64],
        quantity=quantity,
        expiry=_date(*expiry),
        retest_date=_date(*retest) if retest and retest[0] else None,
        at=node.path,
    )


def material_information(raw: bytes) -> MaterialInformation:
    """MaterialDefinitions and MaterialLots of a MaterialInformation message (or one of
    them as the root). Lot properties by ID: SupplierID, SupplierLotID, ExpirationDate,
    RetestDate; material properties: GTIN, UnitOfMeasure."""
    root = _root(raw, ("MaterialInformation", "MaterialDefinition", "MaterialLot"))
    name = _local(root.element)
    if name == "MaterialDefinition":
        return MaterialInformation(materials=(_material(root),))
    if name == "MaterialLot":
        return MaterialInformation(lots=(_lot(root),))
    definitions = root.children("MaterialDefinition")
    lots = root.children("MaterialLot")
    if not definitions and not lots:
        root.need("MaterialLot")
    return MaterialInformation(
        materials=tuple(_material(node) for node in definitions),
        lots=tuple(_lot(node) for node in lots),
    )

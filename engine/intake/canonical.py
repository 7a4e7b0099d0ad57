"""The canonical order that guards read, and the checks that make data fit it.

A canonical order is an object with these keys, always all of them::

    id           the cart's order id (a string)
    source       which cart the order came from
    ship_method  the cart's ship code or title ("" when the cart gave none)
    ship_to      {name, company, address1, address2, city, region, postal_code, country},
                 every value a string, "" when missing
    lines        [{sku, quantity}], quantity a whole number
    packages     [{carrier, method, tracking}], every value a string

Other keys of canonical input pass through untouched, so an order may carry more than
the guards read.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.errors import IntakeError
from engine.intake.fields import kind_of, list_of, quantity, text
from engine.intake.formats import order_converter, shipment_converter

SHIP_TO_FIELDS = (
    "name",
    "company",
    "address1",
    "address2",
    "city",
    "region",
    "postal_code",
    "country",
)
PACKAGE_FIELDS = ("carrier", "method", "tracking")
ORDER_FIELDS = ("id", "source", "ship_method", "ship_to", "lines", "packages")


def canonical_order(format: str | None, data: Any) -> dict[str, Any]:
    """Turn one order in ``format`` into the canonical order.

    ``format`` None means ``data`` is canonical already: its types are checked and missing
    parts filled in. Otherwise it names a cart's raw shape (see :data:`FORMATS`). A list
    of orders is refused: one download event carries one order.
    """
    return check_order(data if format is None else order_converter(format)(data))


def canonical_shipment(format: str | None, data: Any) -> dict[str, Any]:
    """The data of a ``ship`` event, ``{"packages": [...]}``, from ``format``'s shape."""
    if format is None:
        return check_fields(data)

    return {"packages": check_packages(shipment_converter(format)(data), "packages")}


def check_order(data: Any) -> dict[str, Any]:
    """Check a canonical order's types and fill in what is missing; ``id`` is required."""
    if not isinstance(data, Mapping):
        raise IntakeError(f"the order is {kind_of(data)}; expected a JSON object")
    if "id" not in data or data["id"] in (None, ""):
        raise IntakeError("the order has no 'id' (at id); give the cart's order id as a string")

    order = dict(data)
    order["id"] = text(data["id"], "id")
    order["source"] = text(data.get("source"), "source")
    order["ship_method"] = text(data.get("ship_method"), "ship_method")
    order["ship_to"] = check_ship_to(data.get("ship_to"), "ship_to")
    order["lines"] = check_lines(data.get("lines"), "lines")
    order["packages"] = check_packages(data.get("packages"), "packages")
    return order


def check_fields(data: Any) -> dict[str, Any]:
    """Check the canonical keys present in an event's data, filling in nothing else.

    Events that merge their data into the order (``ship``, ``retry``) carry part of an
    order; a partial ``ship_to`` stays partial so that a merge keeps the rest.
    """
    if not isinstance(data, Mapping):
        raise IntakeError(f"the event data is {kind_of(data)}; expected a JSON object")

    checked = dict(data)
    checks: dict[str, Callable[[Any, str], Any]] = {
        "id": text,
        "source": text,
        "ship_method": text,
        "ship_to": lambda v, p: check_ship_to(v, p, partial=True),
        "lines": check_lines,
        "packages": check_packages,
    }
    for key, check in checks.items():
        if key in data:
            checked[key] = check(data[key], key)
    return checked


def check_ship_to(value: Any, path: str, *, partial: bool = False) -> dict[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise IntakeError(f"{path} is {kind_of(value)}; expected an object of address fields")

    ship_to = dict(value)
    for name in SHIP_TO_FIELDS:
        if name in value or not partial:
            ship_to[name] = text(value.get(name), f"{path}.{name}")
    return ship_to


def check_lines(value: Any, path: str) -> list[dict[str, Any]]:
    items = list_of(value, path)
    lines = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, Mapping):
            raise IntakeError(
                f"{where} is {kind_of(item)}; expected an object with sku and quantity"
            )
        if "quantity" not in item:
            raise IntakeError(f"{where} has no 'quantity' (at {where}.quantity)")
        line = dict(item)
        line["sku"] = text(item.get("sku"), f"{where}.sku")
        line["quantity"] = quantity(item["quantity"], f"{where}.quantity", strict=True)
        lines.append(line)
    return lines


def check_packages(value: Any, path: str) -> list[dict[str, Any]]:
    items = list_of(value, path)
    packages = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, Mapping):
            raise IntakeError(
                f"{where} is {kind_of(item)}; expected an object with carrier, method and tracking"
            )
        package = dict(item)
        for name in PACKAGE_FIELDS:
            package[name] = text(item.get(name), f"{where}.{name}")
        packages.append(package)
    return packages

"""Raw cart payloads turned into canonical data.

``shopify``: an order as the Shopify REST API and order webhooks give it, bare or
wrapped as ``{"order": {...}}``. The ship method is ``shipping_lines[0].code`` (else its
``title``); each tracking number of each fulfillment is one package, its carrier the
fulfillment's ``tracking_company`` (Shopify gives no method, so ``method`` is "").

``integration-manager``: an order record of the integration manager's cart API, bare or
wrapped as ``{"success_code": ..., "response": {...}}``. The ship method is ``ship_code``
(else ``ship_code_description``); each of ``shipments[]`` is one package.

A list of orders (``{"orders": [...]}``, a list ``response``, or a JSON list) is refused:
one download event carries one order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from engine.errors import IntakeError
from engine.intake.fields import kind_of, loose_text, quantity

FORMATS = ("shopify", "integration-manager")

Converter = Callable[[Any], Any]


def order_converter(format: str) -> Converter:
    """The function turning one raw order of ``format`` into a canonical-shaped order."""
    converters: dict[str, Converter] = {
        "shopify": shopify_order,
        "integration-manager": integration_manager_order,
    }
    return converters[_known(format)]


def shipment_converter(format: str) -> Converter:
    """The function turning a raw shipment of ``format`` into a list of packages."""
    converters: dict[str, Converter] = {
        "shopify": shopify_packages,
        "integration-manager": integration_manager_packages,
    }
    return converters[_known(format)]


def _known(format: str) -> str:
    if format not in FORMATS:
        valid = ", ".join(repr(f) for f in FORMATS)
        raise IntakeError(f"unknown format {format!r}; known formats: {valid}, or none")
    return format


# Shopify


def shopify_order(raw: Any) -> dict[str, Any]:
    order = _unwrap(raw, single="order", plural="orders", what="Shopify order")
    if order.get("id") in (None, ""):
        raise IntakeError("the Shopify order has no 'id' (at id)")

    address = _object(order.get("shipping_address"), "shipping_address")
    return {
        "id": loose_text(order["id"], "id"),
        "source": "shopify",
        "ship_method": _shopify_ship_method(order),
        "ship_to": _shopify_ship_to(address),
        "lines": [
            {
                "sku": loose_text(item.get("sku"), f"line_items[{i}].sku"),
                "quantity": quantity(item.get("quantity"), f"line_items[{i}].quantity"),
            }
            for i, item in _objects(order.get("line_items"), "line_items")
        ],
        "packages": _fulfillment_packages(order.get("fulfillments"), "fulfillments"),
    }


def _shopify_ship_method(order: Mapping[str, Any]) -> str:
    shipping_lines = list(_objects(order.get("shipping_lines"), "shipping_lines"))
    if not shipping_lines:
        return ""
    first = shipping_lines[0][1]
    code = loose_text(first.get("code"), "shipping_lines[0].code")
    return code or loose_text(first.get("title"), "shipping_lines[0].title")


def _shopify_ship_to(address: Mapping[str, Any]) -> dict[str, str]:
    def field(*names: str) -> str:
        for name in names:
            value = loose_text(address.get(name), f"shipping_address.{name}").strip()
            if value:
                return value
        return ""

    name = field("name") or " ".join(filter(None, [field("first_name"), field("last_name")]))
    return {
        "name": name,
        "company": field("company"),
        "address1": field("address1"),
        "address2": field("address2"),
        "city": field("city"),
        "region": field("province_code", "province"),
        "postal_code": field("zip"),
        "country": field("country_code", "country"),
    }


def shopify_packages(raw: Any) -> list[dict[str, str]]:
    """Packages from a fulfillment: bare, as {"fulfillment": ...} or {"fulfillments": [...]}."""
    if isinstance(raw, Mapping) and "fulfillments" in raw:
        return _fulfillment_packages(raw["fulfillments"], "fulfillments")
    if isinstance(raw, Mapping) and "fulfillment" in raw:
        raw = raw["fulfillment"]
    return _fulfillment_packages([raw], "fulfillment")


def _fulfillment_packages(value: Any, path: str) -> list[dict[str, str]]:
    packages = []
    for i, fulfillment in _objects(value, path):
        where = f"{path}[{i}]"
        carrier = loose_text(fulfillment.get("tracking_company"), f"{where}.tracking_company")
        numbers = fulfillment.get("tracking_numbers") or [fulfillment.get("tracking_number")]
        if not isinstance(numbers, list):
            raise IntakeError(f"{where}.tracking_numbers is {kind_of(numbers)}; expected a list")
        for n, number in enumerate(numbers):
            tracking = loose_text(number, f"{where}.tracking_numbers[{n}]")
            packages.append({"carrier": carrier, "method": "", "tracking": tracking})
    return packages


# The integration manager


def integration_manager_order(raw: Any) -> dict[str, Any]:
    order = _unwrap(raw, single="response", plural="response", what="integration-manager order")
    if order.get("cust_ref") in (None, ""):
        raise IntakeError(
            "the integration-manager order has no 'cust_ref' (at cust_ref); it is the order id"
        )

    def field(name: str) -> str:
        return loose_text(order.get(name), name).strip()

    ship_method = field("ship_code") or field("ship_code_description")
    name = " ".join(filter(None, [field("ship_first_name"), field("ship_last_name")]))
    address2 = ", ".join(filter(None, [field("ship_address_2"), field("ship_address_3")]))
    return {
        "id": field("cust_ref"),
        "source": field("order_source") or "integration-manager",
        "ship_method": ship_method,
        "ship_to": {
            "name": name,
            "company": field("ship_company"),
            "address1": field("ship_address_1"),
            "address2": address2,
            "city": field("ship_city"),
            "region": field("ship_state"),
            "postal_code": field("ship_zip"),
            "country": field("ship_country"),
        },
        "lines": [
            {
                "sku": loose_text(item.get("item"), f"items[{i}].item"),
                "quantity": quantity(item.get("quantity"), f"items[{i}].quantity"),
            }
            for i, item in _objects(order.get("items"), "items")
        ],
        "packages": _shipment_packages(order.get("shipments"), "shipments"),
    }


def integration_manager_packages(raw: Any) -> list[dict[str, str]]:
    """Packages from ``{"shipments": [...]}``, an order record, or a status response."""
    record = _unwrap(
        raw, single="response", plural="response", what="integration-manager shipment"
    )
    if "shipments" not in record:
        raise IntakeError("the integration-manager shipment has no 'shipments' (at shipments)")
    return _shipment_packages(record["shipments"], "shipments")


def _shipment_packages(value: Any, path: str) -> list[dict[str, str]]:
    return [
        {
            "carrier": loose_text(s.get("carrier"), f"{path}[{i}].carrier"),
            "method": loose_text(s.get("method"), f"{path}[{i}].method"),
            "tracking": loose_text(s.get("tracking_no"), f"{path}[{i}].tracking_no"),
        }
        for i, s in _objects(value, path)
    ]


# Shapes


def _unwrap(raw: Any, *, single: str, plural: str, what: str) -> Mapping[str, Any]:
    """The one order inside ``raw``, or an IntakeError when it holds a list or no object."""
    if isinstance(raw, Mapping) and isinstance(raw.get(single), Mapping):
        raw = raw[single]
    elif isinstance(raw, Mapping) and isinstance(raw.get(plural), list):
        raw = raw[plural]
    elif isinstance(raw, Mapping) and single in raw:
        # A wrapper ({"response": null}) around no order at all.
        raise IntakeError(f"{single} is {kind_of(raw[single])}; expected the {what} object")

    if isinstance(raw, list):
        raise IntakeError(
            f"the {what} data is a list of {len(raw)}; a download event carries one order, "
            "so send one event per order"
        )
    if not isinstance(raw, Mapping):
        raise IntakeError(f"the {what} is {kind_of(raw)}; expected a JSON object")
    return raw


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise IntakeError(f"{path} is {kind_of(value)}; expected an object")
    return value


def _objects(value: Any, path: str) -> list[tuple[int, Mapping[str, Any]]]:
    """The items of a list of objects with their indexes; null reads as an empty list."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise IntakeError(f"{path} is {kind_of(value)}; expected a list")
    for i, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise IntakeError(f"{path}[{i}] is {kind_of(item)}; expected an object")
    return list(enumerate(value))

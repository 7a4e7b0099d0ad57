"""A simulated WMS and cart, deterministic, for demos and tests.

Both read the order from the call's payload: ``payload["order"]`` when the payload has
one, else the payload itself. The same call always gets the same answer.

The WMS:

- ``create_order``: accepted when the order's ``ship_method`` is a key of the account's
  ``ship_method_map``; the answer carries a WMS order id derived from the order id and
  the mapped carrier and method. An unmapped ship method is refused for good
  (``error_code`` ``"unmapped_ship_method"``).
- ``cancel_order``: accepted, unless the order's ``wms_status`` is ``"picked"`` or
  ``"packed"``, which is refused for good (``"already_picked"`` / ``"already_packed"``).
- An order whose ``wms_status`` is ``"unavailable"`` gets a retry answer to every call,
  as if the WMS did not answer: the order stays where it is until a later try.

The cart:

- ``confirm_shipment``: accepted when the order has packages and every one has a tracking
  number; otherwise refused for good (``"missing_tracking"``).
- ``cancel_order``: always accepted.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any

from engine.hooks.adapter import HookCall, HookOutcome

log = logging.getLogger(__name__)

WMS_ACTIONS = ("create_order", "cancel_order")
CART_ACTIONS = ("confirm_shipment", "cancel_order")


def order_of(call: HookCall) -> Mapping[str, Any]:
    """The order's data inside a call's payload."""
    order = call.payload.get("order")
    return order if isinstance(order, Mapping) else call.payload


def wms_order_id(order_id: str) -> str:
    """The id the simulated WMS gives an order: the same for the same order, every time."""
    return "WMS-" + hashlib.sha256(order_id.encode("utf-8")).hexdigest()[:10].upper()


class SimulatedWms:
    """A warehouse that takes orders whose ship method the account has mapped."""

    channel = "wms"

    def __init__(self, settings: Mapping[str, Any] | None = None) -> None:
        ship_method_map = (settings or {}).get("ship_method_map") or {}
        if not isinstance(ship_method_map, Mapping):
            raise TypeError(
                f"ship_method_map is {ship_method_map!r}; expected a mapping of ship codes"
            )
        self.ship_method_map: dict[str, Any] = dict(ship_method_map)

    def __repr__(self) -> str:
        return f"<SimulatedWms ship methods={sorted(self.ship_method_map)}>"

    def deliver(self, call: HookCall) -> HookOutcome:
        order = order_of(call)
        if order.get("wms_status") == "unavailable":
            return HookOutcome.retry("the simulated WMS is unavailable for this order")

        if call.action == "create_order":
            return self._create(call, order)
        if call.action == "cancel_order":
            return _cancel(order)
        return _unknown_action(call, WMS_ACTIONS)

    def _create(self, call: HookCall, order: Mapping[str, Any]) -> HookOutcome:
        ship_method = order.get("ship_method")
        mapped = self.ship_method_map.get(ship_method) if isinstance(ship_method, str) else None
        if mapped is None:
            known = ", ".join(repr(code) for code in sorted(self.ship_method_map)) or "none"
            return HookOutcome.failure(
                f"ship method {ship_method!r} is not mapped; mapped ship methods: {known}",
                {"error_code": "unmapped_ship_method", "error_msg": f"{ship_method!r} unmapped"},
            )

        data: dict[str, Any] = {"wms_order_id": wms_order_id(call.order_id)}
        if isinstance(mapped, Mapping):
            data["carrier"] = mapped.get("carrier", "")
            data["method"] = mapped.get("method", "")
        return HookOutcome.success(data)


def _cancel(order: Mapping[str, Any]) -> HookOutcome:
    status = order.get("wms_status")
    if status in ("picked", "packed"):
        return HookOutcome.failure(
            f"the order is {status} already and can no longer be canceled in the WMS",
            {"error_code": f"already_{status}"},
        )
    return HookOutcome.success({"wms_canceled": True})


class SimulatedCart:
    """A cart that takes tracking when every package has some, and every cancel."""

    channel = "cart"

    def __repr__(self) -> str:
        return "<SimulatedCart>"

    def deliver(self, call: HookCall) -> HookOutcome:
        if call.action == "confirm_shipment":
            return _confirm_shipment(order_of(call))
        if call.action == "cancel_order":
            return HookOutcome.success({"cart_canceled": True})
        return _unknown_action(call, CART_ACTIONS)


def _confirm_shipment(order: Mapping[str, Any]) -> HookOutcome:
    packages = order.get("packages")
    if not isinstance(packages, list) or not packages:
        return HookOutcome.failure(
            f"the order has no packages to confirm (packages={packages!r})",
            {"error_code": "missing_tracking"},
        )

    blank = [i for i, p in enumerate(packages) if not _tracking(p)]
    if blank:
        return HookOutcome.failure(
            f"no tracking number on package {', '.join(map(str, blank))} "
            f"(counting from 0); the cart needs one on every package",
            {"error_code": "missing_tracking"},
        )
    return HookOutcome.success({"tracking": [_tracking(p) for p in packages]})


def _tracking(package: object) -> str:
    value = package.get("tracking") if isinstance(package, Mapping) else None
    return value if isinstance(value, str) else ""


def _unknown_action(call: HookCall, actions: tuple[str, ...]) -> HookOutcome:
    # A definition naming an action the simulation does not know is a setup mistake that no
    # retry can fix.
    log.debug("order %s: simulated %s has no action %r", call.order_id, call.channel, call.action)
    return HookOutcome.failure(
        f"unknown action {call.action!r} for the simulated {call.channel}; "
        f"known actions: {', '.join(actions)}"
    )

"""The example event log and account settings under examples/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import load
from engine.clock import ManualClock
from engine.hooks.adapters import make_adapter
from engine.intake import LogEvent, read_event_log
from engine.runtime import Engine
from engine.settings import load_settings_file
from tests.conftest import EXAMPLES

EVENTS = EXAMPLES / "events.jsonl"
SETTINGS = EXAMPLES / "settings.yaml"

# Where each example order ends when the log is applied in order and due hook calls are
# dispatched after each line, with the simulated WMS and cart (docs/intake-and-adapters.md).
FINAL_STATES = {
    "EX-1001": "confirmed",  # two packages, tracking taken by the cart
    "EX-1002": "confirmed",  # a raw Shopify order; tracking resent, taken again
    "EX-1003": "at_wms",  # unmapped ship method: Error, fixed by retry; resent to the WMS
    "EX-1004": "canceled",  # canceled in the cart while At WMS; the WMS canceled it
    "EX-1005": "cancel_sending",  # sending canceled while the WMS was not answering
    "EX-1006": "new",  # sending canceled, then resumed; the WMS is still not answering
    "EX-1007": "canceled",  # canceled in the cart while New
    "EX-1008": "confirmed",  # the WMS refused the cancel (packed), then shipped it
    "EX-1009": "canceled",  # canceled in the WMS, pushed to the cart
    "EX-1010": "shipped",  # blank tracking: the cart refused it, so it waits in Shipped
    "EX-1011": "error",  # a raw integration-manager order with an unmapped ship code
}


def example_events() -> list[LogEvent]:
    items = list(read_event_log(EVENTS))
    errors = [item for item in items if not isinstance(item, LogEvent)]
    assert errors == []
    return [item for item in items if isinstance(item, LogEvent)]


def definition_yaml(order_definition: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(order_definition.read_text(encoding="utf-8"))
    return loaded


def test_the_example_log_reads_without_errors() -> None:
    events = example_events()

    assert {e.order_id for e in events} == set(FINAL_STATES)
    assert {e.format for e in events} == {None, "shopify", "integration-manager"}
    assert all(e.at is not None for e in events)


def test_the_example_log_sends_every_outside_event(order_definition: Path) -> None:
    events = definition_yaml(order_definition)["events"]
    outside = {name for name, spec in events.items() if not (spec or {}).get("internal")}

    assert {e.event for e in example_events()} == outside


def test_the_example_settings_are_the_declared_settings(order_definition: Path) -> None:
    declared = definition_yaml(order_definition)["settings"]
    settings = yaml.safe_load(SETTINGS.read_text(encoding="utf-8"))
    python_types = {"object": dict, "boolean": bool}

    assert set(settings) <= set(declared)
    for name, value in settings.items():
        assert isinstance(value, python_types[declared[name]["type"]]), name


def test_every_ship_method_is_mapped_but_the_two_error_cases() -> None:
    mapped = yaml.safe_load(SETTINGS.read_text(encoding="utf-8"))["ship_method_map"]
    downloads = {
        e.order_id: e.data["ship_method"] for e in example_events() if e.event == "download"
    }
    unmapped = {order for order, method in downloads.items() if method not in mapped}
    corrected = [e.data["ship_method"] for e in example_events() if e.event == "retry"]

    assert unmapped == {"EX-1003", "EX-1011"}
    assert corrected and all(method in mapped for method in corrected)


def run_example(tmp_path: Path, order_definition: Path) -> Engine:
    """Apply the log line by line, dispatching due hook calls after each, on the log's time."""
    settings = load_settings_file(SETTINGS)
    clock = ManualClock(start=0)
    adapters = {
        channel: make_adapter("simulated", channel, settings=settings)
        for channel in ("wms", "cart")
    }
    engine = Engine(
        load(order_definition),
        f"sqlite:///{tmp_path / 'example.db'}",
        adapters=adapters,
        settings=settings,
        clock=clock,
    )
    for event in example_events():
        assert event.at is not None
        clock.move_to(event.at.timestamp())
        engine.send(
            event.order_id, event.event, event.data, actor=event.actor, idempotency_key=event.key
        )
        engine.dispatch()
    return engine


def test_applied_in_order_the_example_fills_every_status(
    tmp_path: Path, order_definition: Path
) -> None:
    with run_example(tmp_path, order_definition) as engine:
        states = {order.order_id: order.state for order in engine.orders()}
        all_states = set(engine.definition.states)

    assert states == FINAL_STATES
    assert set(states.values()) == all_states


def test_applying_the_example_twice_changes_nothing(
    tmp_path: Path, order_definition: Path
) -> None:
    with run_example(tmp_path, order_definition) as engine:
        first = {o.order_id: (o.state, o.version) for o in engine.orders()}
    with run_example(tmp_path, order_definition) as engine:
        again = {o.order_id: (o.state, o.version) for o in engine.orders()}

    assert again == first


@pytest.mark.parametrize("order_id", ["EX-1003", "EX-1011"])
def test_an_unmapped_ship_method_lands_in_error_first(
    tmp_path: Path, order_definition: Path, order_id: str
) -> None:
    with run_example(tmp_path, order_definition) as engine:
        targets = [getattr(entry, "target", None) for entry in engine.history(order_id)]

    assert targets[0] == "error"

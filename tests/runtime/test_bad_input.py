"""Every bad input gets a clear error and changes nothing but its own refused journal entry."""

from __future__ import annotations

import pytest

from engine.errors import (
    EventRefused,
    IntakeError,
    LifecycleError,
    OrderExists,
    OrderNotFound,
    SettingsError,
    VersionConflict,
)
from engine.runtime import Engine
from tests.runtime.conftest import order_data, snapshot


@pytest.fixture
def at_wms(engine: Engine) -> Engine:
    engine.create("B-1", order_data("B-1"))
    engine.dispatch()
    return engine


def added_rows(before: dict, after: dict) -> dict[str, list[tuple]]:
    return {t: [r for r in after[t] if r not in before[t]] for t in after if after[t] != before[t]}


# (event, data, expected error, words the message must hold, journaled as refused)
CASES = [
    ("nonsense", None, EventRefused, ["unknown event 'nonsense'", "'ship'"], True),
    ("cart_confirmed", None, EventRefused, ["'cart_confirmed' is internal"], True),
    ("retry", None, EventRefused, ["'retry' is not allowed now", "'at_wms'", "'ship'"], True),
    ("ship", {}, EventRefused, ["guard 'has_packages'", "order.packages=[]"], True),
    (
        "ship",
        {"packages": [{"carrier": "UPS", "tracking": ""}]},
        EventRefused,
        ["guard 'tracking_present'", "settings.accept_blank_tracking=False"],
        True,
    ),
    ("download", order_data("B-1"), OrderExists, ["'B-1' exists already"], True),
]


@pytest.mark.parametrize("event, data, error, words, journaled", CASES, ids=lambda c: str(c)[:30])
def test_a_refused_event_changes_nothing_but_the_journal(
    at_wms, db_path, event, data, error, words, journaled
):
    before = snapshot(db_path)
    with pytest.raises(error) as raised:
        at_wms.send("B-1", event, data)

    for word in words:
        assert word in str(raised.value)
    added = added_rows(before, snapshot(db_path))
    assert list(added) == (["journal"] if journaled else [])
    if journaled:
        (row,) = added["journal"]
        assert row[1:4] == ("B-1", "refused", event)


def test_refusal_names_event_state_and_what_is_allowed(at_wms):
    with pytest.raises(EventRefused) as raised:
        at_wms.send("B-1", "resume_sending")
    refused = raised.value
    assert (refused.event, refused.state) == ("resume_sending", "at_wms")
    assert refused.allowed == ("ship", "resend_to_wms", "cancel", "wms_cancel")


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda e: e.send("nobody", "cancel"), OrderNotFound, "no order 'nobody'"),
        (lambda e: e.get("nobody"), OrderNotFound, "no order 'nobody'"),
        (lambda e: e.history("nobody"), OrderNotFound, "no order 'nobody'"),
        (lambda e: e.send("B-1", "cancel", expected_version=9), VersionConflict, "expected 9"),
        (lambda e: e.send("B-1", "ship", ["x"]), IntakeError, "must be an object"),
        (lambda e: e.orders(state="nowhere"), LifecycleError, "unknown state 'nowhere'"),
        (lambda e: e.orders(api_value="later"), LifecycleError, "filter 'later'"),
    ],
)
def test_other_bad_calls_change_nothing(at_wms, db_path, call, error, words):
    before = snapshot(db_path)
    with pytest.raises(error, match=words):
        call(at_wms)
    assert snapshot(db_path) == before


def test_a_creation_refused_by_every_guard_stores_nothing(tmp_path, clock):
    from engine import load

    text = """
lifecycle: strict
version: 1
states:
  open: {label: Open, api_value: open}
  closed: {label: Closed, api_value: closed, final: true}
events:
  open: {}
  close: {}
guards:
  has_id: {expression: has(order.id)}
transitions:
  - {event: open, target: open, guard: has_id}
  - {event: close, source: open, target: closed}
"""
    db = tmp_path / "strict.db"
    engine = Engine(load(text), db, clock=clock)
    before = snapshot(db)
    with pytest.raises(EventRefused, match="guard 'has_id'"):
        engine.create("S-1", {"name": "no id"})
    assert snapshot(db) == before
    engine.close()


@pytest.mark.parametrize(
    "settings, words",
    [
        ({"ship_methods": {}}, "unknown setting 'ship_methods'"),
        ({"send_cancellations_to_cart": "yes"}, "'send_cancellations_to_cart' must be of type"),
        ({"ship_method_map": []}, "must be of type object, not []"),
        ({"accept_blank_tracking": 1}, "must be of type boolean, not 1"),
    ],
)
def test_bad_settings_name_the_setting(make_engine, settings, words):
    with pytest.raises(SettingsError) as raised:
        make_engine(settings=settings)
    assert words in str(raised.value)
    assert raised.value.setting in str(raised.value)


def test_settings_take_their_defaults(engine):
    assert engine.settings["send_cancellations_to_cart"] is False
    assert engine.settings["wms_supports_cancel"] is True

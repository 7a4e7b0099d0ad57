"""The outbox: at-least-once delivery across a crash, leases, and missing adapters."""

from __future__ import annotations

import pytest

from engine.errors import HookError
from engine.hooks.outbox import Dispatcher
from engine.store.base import PENDING
from tests.runtime.conftest import order_data, snapshot


class Crash(Exception):
    """Stands for the process dying."""


def test_a_crash_between_delivery_and_bookkeeping_redelivers(engine, wms, clock, monkeypatch):
    engine.create("O-1", order_data("O-1"))

    def crash(self, *args, **kwargs):
        raise Crash("power cut after delivery")

    with monkeypatch.context() as patch:
        patch.setattr(Dispatcher, "_record", crash)
        with pytest.raises(Crash):
            engine.dispatch()

    # Delivered once, recorded nowhere: the call is still pending, and not lost.
    assert len(wms.calls) == 1
    (call,) = engine.pending_calls("O-1")
    assert (call.status, call.attempts) == (PENDING, 1)
    assert engine.get("O-1").state == "new"

    # Within the lease another dispatch leaves it alone; after it, the call goes again.
    assert engine.dispatch().total == 0
    clock.advance(engine.lease)
    assert engine.dispatch().delivered == 1
    assert [c.idempotency_key for c in wms.calls] == [call.idempotency_key] * 2
    assert engine.get("O-1").state == "at_wms"
    assert engine.pending_calls("O-1") == []


def test_a_crash_inside_the_bookkeeping_transaction_rolls_it_back(
    engine, wms, clock, db_path, monkeypatch
):
    engine.create("O-2", order_data("O-2"))
    original = engine._fire

    def fire_then_crash(*args, **kwargs):
        original(*args, **kwargs)
        raise Crash("died before commit")

    monkeypatch.setattr(engine, "_fire", fire_then_crash)
    before = snapshot(db_path)
    with pytest.raises(Crash):
        engine.dispatch()
    after = snapshot(db_path)

    # Only the claim (attempt 1, pushed one lease ahead) was committed.
    assert after["orders"] == before["orders"] and after["journal"] == before["journal"]
    monkeypatch.undo()
    clock.advance(engine.lease)
    assert engine.dispatch().delivered == 1
    assert engine.get("O-2").state == "at_wms"
    assert len(wms.calls) == 2


def test_dispatch_without_an_adapter_for_the_channel_is_an_error_and_changes_nothing(
    make_engine, db_path
):
    engine = make_engine(adapters={"cart": lambda call: None})
    engine.create("O-3", order_data("O-3"))
    before = snapshot(db_path)
    with pytest.raises(HookError, match="no adapter for channel 'wms'"):
        engine.dispatch()
    assert snapshot(db_path) == before


def test_an_adapter_for_an_unknown_channel_is_refused(make_engine):
    with pytest.raises(HookError, match="unknown channel 'erp'"):
        make_engine(adapters={"erp": lambda call: None})


def test_dispatch_limit(engine, wms):
    for n in range(3):
        engine.create(f"L-{n}", order_data(f"L-{n}"))
    assert engine.dispatch(limit=2).delivered == 2
    assert engine.dispatch().delivered == 1

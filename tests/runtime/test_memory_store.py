"""The dictionary store behaves like the SQLite one for what the engine needs."""

from __future__ import annotations

import pytest

from engine.errors import EventRefused
from engine.runtime import Engine
from engine.store import MemoryStore, open_store
from tests.runtime.conftest import MAPPED, PACKAGES, order_data


@pytest.fixture
def memory_engine(lifecycle, clock, wms, cart) -> Engine:
    return Engine(
        lifecycle,
        "memory:",
        settings={"ship_method_map": MAPPED},
        adapters={"wms": wms, "cart": cart},
        clock=clock,
    )


def test_the_happy_path_in_memory(memory_engine):
    engine = memory_engine
    assert isinstance(engine.store, MemoryStore)
    engine.create("M-1", order_data("M-1"))
    engine.dispatch()
    engine.send("M-1", "ship", PACKAGES)
    engine.dispatch()
    assert engine.get("M-1").state == "confirmed"
    assert [e.seq for e in engine.history("M-1")] == [1, 2, 3, 4, 5, 6]


def test_a_failed_transaction_leaves_nothing_behind(memory_engine):
    engine = memory_engine
    engine.create("M-2", order_data("M-2"))
    store = engine.store
    before = (dict(store.orders), list(store.entries), dict(store.outbox), dict(store.intake))

    with pytest.raises(RuntimeError), store.transaction() as txn:
        txn.append_journal(store.entries[0])
        txn.put_intake("k", "M-2", {"result": {}}, 0.0)
        txn.insert_calls([store.calls()[0]])
        raise RuntimeError("undo all of it")

    assert (store.orders, store.entries, store.outbox, store.intake) == before


def test_refusals_are_journaled_in_memory_too(memory_engine):
    memory_engine.create("M-3", order_data("M-3"))
    with pytest.raises(EventRefused):
        memory_engine.send("M-3", "ship", {})
    assert memory_engine.history("M-3")[-1].kind == "refused"


@pytest.mark.parametrize("spec", ["postgresql://localhost/db", "redis://x"])
def test_other_stores_are_not_built(spec):
    with pytest.raises(NotImplementedError, match="is not built"):
        open_store(spec)

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


class RacingStore(MemoryStore):
    """A store where another writer bumps the order between our read and our write."""

    def __init__(self, races: int) -> None:
        super().__init__()
        self.races = races

    def transaction(self):
        txn = super().transaction()
        store = self
        original = txn.update_order

        def update_order(order, expected_version):
            if store.races > 0:
                store.races -= 1
                return False  # the compare-and-set finds another version
            return original(order, expected_version)

        txn.update_order = update_order
        return txn


def test_a_conflict_retries_the_step_and_overwrites_nothing(lifecycle, clock):
    from engine.errors import StoreError

    store = RacingStore(races=0)
    engine = Engine(lifecycle, store, settings={"ship_method_map": MAPPED}, clock=clock)
    engine.create("R-1", order_data("R-1"))

    store.races = 2
    assert engine.send("R-1", "cancel_sending").version == 2
    assert [e.kind for e in engine.history("R-1")] == ["applied", "applied"]

    store.races = engine.max_conflicts
    entries = list(store.entries)
    with pytest.raises(StoreError, match="gave up after 5 conflicting writes"):
        engine.send("R-1", "resume_sending")
    assert store.entries == entries and engine.get("R-1").state == "cancel_sending"


def test_editing_an_order_got_from_the_engine_changes_nothing_stored() -> None:
    from engine import Engine, load
    from tests.conftest import DEFINITIONS

    engine = Engine(load(DEFINITIONS / "order.yaml"), store="memory:")
    engine.create("M-1", {"id": "M-1", "ship_to": {"city": "Exampleton"}})

    engine.get("M-1").data["ship_to"]["city"] = "Elsewhere"

    assert engine.get("M-1").data["ship_to"]["city"] == "Exampleton"
    assert engine.get("M-1").version == 1

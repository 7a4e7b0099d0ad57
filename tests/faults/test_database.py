"""Database faults: locked by another process, full, read-only. Clear errors, nothing half-written.

Disk full is made with SQLite's own ``max_page_count`` limit on the store's connection: it
fails writes with the same SQLITE_FULL error a full disk gives, touches nothing outside
the test's file and needs no privileges (a tiny filesystem would need mount rights).
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import engine
from engine.errors import LifecycleError, StoreBusy, StoreError
from engine.runtime import Engine
from engine.store import JournalEntry, OrderRecord, SQLiteStore
from tests.conftest import require_program
from tests.faults.crashkit import ORDER_DEFINITION, SETTINGS, order
from tests.faults.dbfaults import locked_by_another_process, read_only_command


def record(order_id: str, data: dict | None = None) -> OrderRecord:
    return OrderRecord(order_id, "order", 1, "new", 1, data or {"id": order_id}, 1, 0.0, 0.0)


def write_order(store: SQLiteStore, order_id: str, data: dict | None = None) -> None:
    with store.transaction() as tx:
        tx.insert_order(record(order_id, data))
        tx.append_journal(JournalEntry(order_id, "applied", 0.0, event="download", target="new"))


def counts(path: Path) -> tuple[int, int]:
    """(orders, journal entries) as another connection sees them."""
    db = sqlite3.connect(path)
    try:
        orders = db.execute("SELECT COUNT(*) FROM orders").fetchone()[0]
        journal = db.execute("SELECT COUNT(*) FROM journal").fetchone()[0]
    finally:
        db.close()
    return orders, journal


class TestLockedByAnotherProcess:
    def test_a_writer_waits_then_gets_store_busy(self, tmp_path: Path) -> None:
        path = tmp_path / "orders.db"
        store = SQLiteStore(path, busy_timeout=0.2)
        write_order(store, "o1")

        with locked_by_another_process(path), pytest.raises(StoreBusy) as caught:
            write_order(store, "o2")

        assert repr(str(path)) in str(caught.value)
        assert "busy_timeout" in str(caught.value)
        assert counts(path) == (1, 1)

    def test_the_store_works_again_once_the_lock_is_gone(self, tmp_path: Path) -> None:
        path = tmp_path / "orders.db"
        store = SQLiteStore(path, busy_timeout=0.2)

        with locked_by_another_process(path), pytest.raises(StoreBusy):
            write_order(store, "o1")
        write_order(store, "o1")

        assert counts(path) == (1, 1)

    def test_opening_a_locked_new_file_is_a_clear_error(self, tmp_path: Path) -> None:
        path = tmp_path / "fresh.db"
        sqlite3.connect(path).close()

        with locked_by_another_process(path), pytest.raises(StoreError) as caught:
            SQLiteStore(path, busy_timeout=0.2)

        assert str(path) in str(caught.value)


class TestDiskFull:
    def fill_to_the_limit(self, store: SQLiteStore) -> None:
        # The store's own connection: the limit applies per connection.
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count={pages + 2}")

    def test_a_write_that_does_not_fit_is_a_store_error(self, tmp_path: Path) -> None:
        path = tmp_path / "orders.db"
        store = SQLiteStore(path)
        write_order(store, "o1")
        self.fill_to_the_limit(store)

        with pytest.raises(LifecycleError) as caught:
            write_order(store, "big", {"blob": "x" * 200_000})

        assert isinstance(caught.value, StoreError), f"a raw {type(caught.value).__name__}"
        assert "full" in str(caught.value)

    def test_nothing_is_half_written_and_small_writes_go_on(self, tmp_path: Path) -> None:
        path = tmp_path / "orders.db"
        store = SQLiteStore(path)
        write_order(store, "o1")
        self.fill_to_the_limit(store)

        with pytest.raises(Exception):  # noqa: B017 - which class is the test above's concern
            write_order(store, "big", {"blob": "x" * 200_000})

        assert store.get_order("big") is None
        assert counts(path) == (1, 1)
        write_order(store, "o2")
        assert counts(path) == (2, 2)


class TestReadOnly:
    # The child opens the store and tries one write; it prints what came out as JSON.
    CHILD = """
import json, sys
from engine.errors import LifecycleError
from engine.store import JournalEntry, OrderRecord, SQLiteStore
try:
    store = SQLiteStore(sys.argv[1], busy_timeout=0.2)
    with store.transaction() as tx:
        tx.insert_order(OrderRecord("o2", "order", 1, "new", 1, {}, 1, 0.0, 0.0))
    print(json.dumps({"outcome": "written"}))
except LifecycleError as exc:
    print(json.dumps({"outcome": type(exc).__name__, "message": str(exc)}))
except Exception as exc:
    print(json.dumps({"outcome": "raw " + type(exc).__name__, "message": str(exc)}))
"""

    def run_child(self, path: Path) -> dict:
        if os.geteuid() == 0:
            require_program("setpriv")
        argv = read_only_command([sys.executable, "-c", self.CHILD, str(path)])
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    def make_read_only(self, tmp_path: Path) -> Path:
        path = tmp_path / "orders.db"
        store = SQLiteStore(path)
        write_order(store, "o1")
        store.close()
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        return path

    def test_a_read_only_file_gives_a_store_error_naming_it(self, tmp_path: Path) -> None:
        path = self.make_read_only(tmp_path)

        seen = self.run_child(path)

        assert seen["outcome"] == "StoreError", seen
        assert str(path) in seen["message"]
        assert counts(path) == (1, 1)

    def test_a_read_only_folder_gives_a_store_error(self, tmp_path: Path) -> None:
        path = self.make_read_only(tmp_path)
        tmp_path.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
        try:
            seen = self.run_child(path)
        finally:
            tmp_path.chmod(stat.S_IRWXU)

        assert seen["outcome"] == "StoreError", seen
        assert counts(path) == (1, 1)


class TestThroughTheEngine:
    def test_a_locked_database_refuses_the_event_cleanly(self, tmp_path: Path) -> None:
        path = tmp_path / "engine.db"
        store = SQLiteStore(path, busy_timeout=0.2)
        eng = Engine(engine.load(ORDER_DEFINITION), store=store, settings=SETTINGS)
        eng.create("o1", order("o1", mapped=True))
        before = (eng.get("o1"), eng.history("o1"), eng.pending_calls())

        with locked_by_another_process(path), pytest.raises(StoreBusy):
            eng.send("o1", "cancel_sending", idempotency_key="k1")

        assert (eng.get("o1"), eng.history("o1"), eng.pending_calls()) == before
        # The key was not used up: the same event goes through once the lock is gone.
        assert eng.send("o1", "cancel_sending", idempotency_key="k1").state == "cancel_sending"
        eng.close()

"""Versioned definitions and the store's schema."""

from __future__ import annotations

import sqlite3

import pytest

from engine import load
from engine.errors import StoreError
from engine.runtime import Engine
from engine.store.sqlite import SCHEMA_VERSION

V1 = """
lifecycle: ticket
version: {version}
states:
  open: {{label: Open, api_value: open}}
{extra}  closed: {{label: Closed, api_value: closed, final: true}}
events:
  download: {{}}
  hold: {{}}
  close: {{}}
transitions:
  - {{event: download, target: open}}
{moves}  - {{event: close, source: {close_from}, target: closed}}
"""


def ticket(version: int, with_held: bool):
    extra = "  held: {label: Held, api_value: held}\n" if with_held else ""
    moves = "  - {event: hold, source: open, target: held}\n" if with_held else ""
    close_from = "[open, held]" if with_held else "open"
    text = V1.format(version=version, extra=extra, moves=moves, close_from=close_from)
    if not with_held:
        text = text.replace("  hold: {}\n", "")
    return load(text)


@pytest.fixture
def stored(tmp_path, clock):
    db = tmp_path / "tickets.db"
    with Engine(ticket(1, True), db, clock=clock) as engine:
        for n in range(3):
            engine.create(f"T-{n}", {"n": n})
        engine.send("T-0", "hold")
        engine.send("T-1", "hold")
    return db


def test_each_order_records_its_definition_version(stored, clock):
    with Engine(ticket(2, True), stored, clock=clock) as engine:
        assert engine.get("T-2").definition_version == 1
        engine.send("T-2", "close")
        assert engine.get("T-2").definition_version == 2


def test_a_store_written_by_a_newer_definition_is_refused(stored, clock):
    with Engine(ticket(3, True), stored, clock=clock) as engine:
        engine.send("T-2", "close")
    with pytest.raises(StoreError, match="version 3, newer than this definition's version 1"):
        Engine(ticket(1, True), stored, clock=clock)


def test_a_version_that_removes_an_occupied_state_is_refused(stored, clock):
    with pytest.raises(StoreError, match="state 'held' is occupied by 2 stored orders"):
        Engine(ticket(2, False), stored, clock=clock)


def test_a_state_map_moves_the_stranded_orders_and_journals_it(stored, clock):
    with Engine(ticket(2, False), stored, clock=clock, state_map={"held": "open"}) as engine:
        assert engine.get("T-0").state == "open"
        assert engine.history("T-0")[-1].kind == "migrated"
        assert engine.send("T-0", "close").state == "closed"


def test_a_state_map_into_an_unknown_state_is_refused(stored, clock):
    with pytest.raises(StoreError, match="'limbo', which is not a state"):
        Engine(ticket(2, False), stored, clock=clock, state_map={"held": "limbo"})


def test_the_schema_is_created_and_versioned(tmp_path):
    db = tmp_path / "fresh.db"
    Engine(ticket(1, True), db).close()
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_schema_newer_than_the_engine_is_refused(tmp_path):
    db = tmp_path / "future.db"
    Engine(ticket(1, True), db).close()
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match="schema version 99, newer than this engine's"):
        Engine(ticket(1, True), db)


def test_a_database_locked_past_the_wait_is_reported_as_busy(tmp_path):
    from engine.errors import StoreBusy
    from engine.store.sqlite import SQLiteStore

    db = tmp_path / "busy.db"
    engine = Engine(ticket(1, True), SQLiteStore(db, busy_timeout=0.05))
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        with pytest.raises(StoreBusy, match=r"stayed locked for 0\.05s"):
            engine.create("T-9", {})
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert engine.create("T-9", {}).state == "open"  # and nothing was half written
    engine.close()

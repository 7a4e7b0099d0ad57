"""Stores: where orders, the journal, the outbox and intake keys live."""

from __future__ import annotations

from pathlib import Path

from engine.errors import StoreError
from engine.store.base import JournalEntry, OrderRecord, OutboxCall, Store, StoreTransaction
from engine.store.memory import MemoryStore
from engine.store.sqlite import SQLiteStore

__all__ = [
    "JournalEntry",
    "MemoryStore",
    "OrderRecord",
    "OutboxCall",
    "SQLiteStore",
    "Store",
    "StoreTransaction",
    "open_store",
]


def open_store(spec: str | Path | Store, *, durable: bool = True) -> Store:
    """A store from ``sqlite:///PATH``, a file path, ``memory:`` (dictionaries) or a Store."""
    if not isinstance(spec, str | Path):
        return spec

    text = str(spec)
    if text.startswith("sqlite:///"):
        return SQLiteStore(text.removeprefix("sqlite:///") or ":memory:", durable=durable)
    if text == "memory:":
        return MemoryStore()
    if text in (":memory:", "sqlite://"):
        return SQLiteStore(":memory:", durable=durable)
    if text.startswith("sqlite://"):
        # "sqlite://orders.db" would read as a host named orders.db; say how to write it.
        path = text.removeprefix("sqlite://")
        raise StoreError(
            f"store URL {text!r} has two slashes after 'sqlite:'; write "
            f"'sqlite:///{path}' for a path relative to the working directory, or "
            "'sqlite:////abs/path.db' (four slashes) for an absolute one"
        )
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise NotImplementedError(
            f"store {scheme!r} (in {text!r}) is not built; the stores that exist are SQLite "
            "('sqlite:///PATH' or a file path) and in-memory ('memory:')"
        )
    return SQLiteStore(text, durable=durable)

"""Stores: where orders, the journal, the outbox and intake keys live."""

from __future__ import annotations

from pathlib import Path

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
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise NotImplementedError(
            f"store {scheme!r} is not built; use 'sqlite:///PATH' or a file path"
        )
    return SQLiteStore(text, durable=durable)

"""A store in plain dictionaries: nothing survives the process.

For measuring the engine without a database, and for short-lived uses such as trying a
definition out. Transactions are serialised with a lock and undone on error by working
on copies of what they touch.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from engine.store.base import MIGRATED, PENDING, JournalEntry, OrderRecord, OutboxCall


class MemoryStore:
    """Orders, journal, outbox and intake keys in memory."""

    def __init__(self) -> None:
        self.orders: dict[str, OrderRecord] = {}
        self.entries: list[JournalEntry] = []
        self.outbox: dict[int, OutboxCall] = {}
        self.intake: dict[str, dict[str, Any]] = {}
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"<MemoryStore {len(self.orders)} orders>"

    def close(self) -> None:
        """Nothing to release."""

    def transaction(self) -> _MemoryTransaction:
        # A plain context manager object: cheaper than a generator, and this store exists
        # to measure the engine's own cost.
        return _MemoryTransaction(self)

    def get_order(self, order_id: str) -> OrderRecord | None:
        return self.orders.get(order_id)

    def list_orders(
        self, definition: str, states: Collection[str] | None = None
    ) -> Iterator[OrderRecord]:
        for order in list(self.orders.values()):
            if order.definition == definition and (states is None or order.state in states):
                yield order

    def journal(self, order_id: str) -> list[JournalEntry]:
        # Entries are kept as appended; the sequence number is the position.
        return [
            replace(e, seq=seq) for seq, e in enumerate(self.entries, 1) if e.order_id == order_id
        ]

    def calls(
        self, order_id: str | None = None, statuses: Collection[str] | None = None
    ) -> list[OutboxCall]:
        return [
            copy.copy(c)
            for c in self.outbox.values()
            if (order_id is None or c.order_id == order_id)
            and (statuses is None or c.status in statuses)
        ]

    def state_counts(self, definition: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for order in self.orders.values():
            if order.definition == definition:
                counts[order.state] = counts.get(order.state, 0) + 1
        return counts

    def max_definition_version(self, definition: str) -> int | None:
        versions = [
            o.definition_version for o in self.orders.values() if o.definition == definition
        ]
        return max(versions, default=None)


class _MemoryTransaction:
    """Writes go straight in; ``undo`` puts back what this transaction changed."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self._orders: dict[str, OrderRecord | None] = {}
        self._calls: dict[int, OutboxCall | None] = {}
        self._keys: list[str] = []
        self._journal_length = 0

    def __enter__(self) -> _MemoryTransaction:
        self.store._lock.acquire()
        self._journal_length = len(self.store.entries)
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        try:
            if kind is not None:
                self.undo()
        finally:
            self.store._lock.release()

    def undo(self) -> None:
        for order_id, before in self._orders.items():
            if before is None:
                self.store.orders.pop(order_id, None)
            else:
                self.store.orders[order_id] = before
        for call_id, call in self._calls.items():
            if call is None:
                self.store.outbox.pop(call_id, None)
            else:
                self.store.outbox[call_id] = call
        for key in self._keys:
            self.store.intake.pop(key, None)
        del self.store.entries[self._journal_length :]

    def get_order(self, order_id: str) -> OrderRecord | None:
        return self.store.orders.get(order_id)

    def insert_order(self, order: OrderRecord) -> bool:
        if order.order_id in self.store.orders:
            return False
        self._orders.setdefault(order.order_id, None)
        self.store.orders[order.order_id] = order
        return True

    def update_order(self, order: OrderRecord, expected_version: int) -> bool:
        current = self.store.orders.get(order.order_id)
        if current is None or current.version != expected_version:
            return False
        self._orders.setdefault(order.order_id, current)
        self.store.orders[order.order_id] = order
        return True

    def append_journal(self, entry: JournalEntry) -> int:
        self.store.entries.append(entry)
        return len(self.store.entries)

    def insert_calls(self, calls: Sequence[OutboxCall]) -> list[int]:
        ids = []
        for call in calls:
            call.call_id = len(self.store.outbox) + 1
            self._calls.setdefault(call.call_id, None)
            self.store.outbox[call.call_id] = call
            ids.append(call.call_id)
        return ids

    def due_calls(self, now: float, limit: int | None) -> list[OutboxCall]:
        due = [c for c in self.store.outbox.values() if c.status == PENDING and c.next_due <= now]
        due.sort(key=lambda c: (c.next_due, c.call_id))
        return [copy.copy(c) for c in due[:limit]]

    def get_call(self, call_id: int) -> OutboxCall | None:
        call = self.store.outbox.get(call_id)
        return None if call is None else copy.copy(call)

    def update_call(self, call: OutboxCall) -> None:
        self._calls.setdefault(call.call_id, self.store.outbox.get(call.call_id))
        self.store.outbox[call.call_id] = copy.copy(call)

    def get_intake(self, key: str) -> dict[str, Any] | None:
        return self.store.intake.get(key)

    def put_intake(self, key: str, order_id: str, result: Mapping[str, Any], at: float) -> None:
        self._keys.append(key)
        self.store.intake[key] = dict(result)

    def remap_state(self, definition: str, old: str, new: str, at: float) -> int:
        moved = [
            o for o in self.store.orders.values() if o.definition == definition and o.state == old
        ]
        for order in moved:
            seq = self.append_journal(
                JournalEntry(
                    order.order_id,
                    MIGRATED,
                    at,
                    source=old,
                    target=new,
                    reason=f"state {old!r} was mapped to {new!r}",
                    definition_version=order.definition_version,
                )
            )
            self._orders.setdefault(order.order_id, order)
            self.store.orders[order.order_id] = replace(
                order, state=new, version=order.version + 1, entered_seq=seq, updated_at=at
            )
        return len(moved)

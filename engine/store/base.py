"""The narrow interface between the engine and a database.

A store keeps four things: orders (state, version, data), the append-only journal, the
outbox of hook calls, and intake idempotency keys. Everything that changes an order goes
through one :class:`StoreTransaction`, so a backend only has to make that transaction
atomic and isolated (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL would use row locks).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

# Journal kinds.
APPLIED = "applied"
REFUSED = "refused"
MIGRATED = "migrated"
HOOK_DELIVERED = "hook_delivered"
HOOK_FAILED = "hook_failed"
HOOK_RETRY = "hook_retry"
HOOK_DROPPED = "hook_dropped"
HOOK_EXHAUSTED = "hook_exhausted"

# Outbox statuses: pending calls are due at next_due; the others are settled.
PENDING = "pending"
DELIVERED = "delivered"
FAILED = "failed"
EXHAUSTED = "exhausted"
DROPPED = "dropped"


@dataclass(slots=True)
class OrderRecord:
    """One order as stored. ``entered_seq``: the journal entry that entered its state."""

    order_id: str
    definition: str
    definition_version: int
    state: str
    version: int
    data: dict[str, Any]
    entered_seq: int
    created_at: float
    updated_at: float


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One line of an order's history; ``seq`` is 0 until the store has appended it."""

    order_id: str
    kind: str
    at: float
    event: str | None = None
    source: str | None = None
    target: str | None = None
    data: Mapping[str, Any] | None = None
    reason: str | None = None
    actor: str | None = None
    definition_version: int | None = None
    seq: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "event": self.event,
            "from": self.source,
            "to": self.target,
            "data": dict(self.data) if self.data is not None else None,
            "reason": self.reason,
            "actor": self.actor,
            "at": self.at,
            "definition_version": self.definition_version,
        }


@dataclass(slots=True)
class OutboxCall:
    """One hook call waiting in (or settled in) the outbox.

    ``bound_state``/``bound_seq``: the stay in a state the call belongs to (None for a
    call bound to a transition, which is always delivered).
    """

    order_id: str
    hook: str
    channel: str
    action: str
    idempotency_key: str
    payload: dict[str, Any]
    next_due: float
    created_at: float
    bound_state: str | None = None
    bound_seq: int | None = None
    attempts: int = 0
    status: str = PENDING
    first_try_at: float | None = None
    last_error: str | None = None
    call_id: int = 0


class StoreTransaction(Protocol):
    """The operations of one atomic unit of work."""

    def get_order(self, order_id: str) -> OrderRecord | None: ...

    def insert_order(self, order: OrderRecord) -> bool:
        """Insert a new order; False when one with that id exists already."""
        ...

    def update_order(self, order: OrderRecord, expected_version: int) -> bool:
        """Compare-and-set: write ``order`` only if the stored version is still expected."""
        ...

    def append_journal(self, entry: JournalEntry) -> int:
        """Append and return the new entry's sequence number."""
        ...

    def insert_calls(self, calls: Sequence[OutboxCall]) -> list[int]: ...

    def due_calls(self, now: float, limit: int | None) -> list[OutboxCall]: ...

    def get_call(self, call_id: int) -> OutboxCall | None: ...

    def update_call(self, call: OutboxCall) -> None:
        """Write back attempts, next_due, status, first_try_at and last_error."""
        ...

    def get_intake(self, key: str) -> dict[str, Any] | None: ...

    def put_intake(
        self, key: str, order_id: str, result: Mapping[str, Any], at: float
    ) -> None: ...

    def remap_state(self, definition: str, old: str, new: str, at: float) -> int:
        """Move every order of ``definition`` in state ``old`` to ``new``; journal each move."""
        ...


class Store(Protocol):
    """A database holding orders, journal, outbox and intake keys."""

    def transaction(self) -> AbstractContextManager[StoreTransaction]: ...

    def get_order(self, order_id: str) -> OrderRecord | None: ...

    def list_orders(
        self, definition: str, states: Collection[str] | None
    ) -> Iterator[OrderRecord]: ...

    def journal(self, order_id: str) -> list[JournalEntry]: ...

    def calls(
        self, order_id: str | None = None, statuses: Collection[str] | None = None
    ) -> list[OutboxCall]: ...

    def state_counts(self, definition: str) -> dict[str, int]: ...

    def max_definition_version(self, definition: str) -> int | None: ...

    def close(self) -> None: ...

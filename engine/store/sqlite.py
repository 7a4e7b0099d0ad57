"""The SQLite store: one file, WAL, a commit that survives power loss unless opted out.

Each transaction starts with ``BEGIN IMMEDIATE``, which takes the write lock up front:
two writers never both read a version and then race to write it. A writer that finds
the database locked waits up to ``busy_timeout`` seconds, then gets StoreBusy.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.errors import StoreBusy, StoreError
from engine.store.base import (
    MIGRATED,
    PENDING,
    JournalEntry,
    OrderRecord,
    OutboxCall,
)

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1

# Each entry upgrades the schema from the version before it; index 0 creates version 1.
_UPGRADES: tuple[str, ...] = (
    """
    CREATE TABLE orders (
        id TEXT PRIMARY KEY,
        definition TEXT NOT NULL,
        definition_version INTEGER NOT NULL,
        state TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        entered_seq INTEGER NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX orders_by_state ON orders (definition, state);
    CREATE TABLE journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        event TEXT,
        source TEXT,
        target TEXT,
        data TEXT,
        reason TEXT,
        actor TEXT,
        at REAL NOT NULL,
        definition_version INTEGER
    );
    CREATE INDEX journal_by_order ON journal (order_id, seq);
    CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
        BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        order_id TEXT NOT NULL,
        hook TEXT NOT NULL,
        channel TEXT NOT NULL,
        action TEXT NOT NULL,
        idempotency_key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        bound_state TEXT,
        bound_seq INTEGER,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_due REAL NOT NULL,
        status TEXT NOT NULL,
        created_at REAL NOT NULL,
        first_try_at REAL,
        last_error TEXT
    );
    CREATE INDEX outbox_due ON outbox (status, next_due);
    CREATE INDEX outbox_by_order ON outbox (order_id);
    CREATE TABLE intake (
        key TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        result TEXT NOT NULL,
        at REAL NOT NULL
    );
    """,
)

_ORDER_COLUMNS = (
    "id, definition, definition_version, state, version, data, entered_seq, created_at, updated_at"
)
_CALL_COLUMNS = (
    "id, order_id, hook, channel, action, idempotency_key, payload, bound_state, bound_seq, "
    "attempts, next_due, status, created_at, first_try_at, last_error"
)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _order(row: Sequence[Any]) -> OrderRecord:
    return OrderRecord(
        row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6], row[7], row[8]
    )


def _call(row: Sequence[Any]) -> OutboxCall:
    return OutboxCall(
        order_id=row[1],
        hook=row[2],
        channel=row[3],
        action=row[4],
        idempotency_key=row[5],
        payload=json.loads(row[6]),
        bound_state=row[7],
        bound_seq=row[8],
        attempts=row[9],
        next_due=row[10],
        status=row[11],
        created_at=row[12],
        first_try_at=row[13],
        last_error=row[14],
        call_id=row[0],
    )


def _entry(row: Sequence[Any]) -> JournalEntry:
    return JournalEntry(
        seq=row[0],
        order_id=row[1],
        kind=row[2],
        event=row[3],
        source=row[4],
        target=row[5],
        data=None if row[6] is None else json.loads(row[6]),
        reason=row[7],
        actor=row[8],
        at=row[9],
        definition_version=row[10],
    )


class SQLiteStore:
    """A store in one SQLite file (or ``:memory:``)."""

    def __init__(
        self, path: str | Path, *, durable: bool = True, busy_timeout: float = 5.0
    ) -> None:
        self.path = str(path)
        self.busy_timeout = busy_timeout
        try:
            # Autocommit mode: transactions are begun and ended explicitly below.
            self._db = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._db.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the database {self.path!r}: {exc}") from None
        self._upgrade()

    def __repr__(self) -> str:
        return f"<SQLiteStore {self.path!r}>"

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[_Transaction]:
        """One atomic unit: committed when the block ends, rolled back when it raises."""
        self._begin()
        try:
            yield _Transaction(self._db)
        except sqlite3.Error as exc:
            self._rollback()
            raise self._error(exc) from None
        except BaseException:
            self._rollback()
            raise
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise self._error(exc) from None

    def _begin(self) -> None:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _rollback(self) -> None:
        # SQLite has already rolled back by itself after some errors (a full disk, say).
        if self._db.in_transaction:
            self._db.execute("ROLLBACK")

    def _error(self, exc: sqlite3.Error) -> StoreError:
        """Our error for one of sqlite3's, saying what the user can do about it."""
        text = str(exc)
        if "locked" in text or "busy" in text:
            return StoreBusy(
                f"the database {self.path!r} stayed locked for {self.busy_timeout}s; "
                "another process is writing: try again, or raise busy_timeout"
            )
        if "full" in text:
            return StoreError(f"the database {self.path!r} is full ({text}); nothing was written")
        if "readonly" in text or "read-only" in text:
            return StoreError(
                f"the database {self.path!r} is read-only ({text}); nothing was written; "
                "open a file this process may write"
            )
        return StoreError(f"database {self.path!r}: {text}; nothing was written")

    def _upgrade(self) -> None:
        """Create the schema, or bring an older one up to SCHEMA_VERSION."""
        with self.transaction():
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
            current = row[0] if row else 0
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"the database {self.path!r} has schema version {current}, newer than "
                    f"this engine's {SCHEMA_VERSION}; upgrade the engine to open it"
                )
            for script in _UPGRADES[current:]:
                for statement in script.split(";\n"):
                    if statement.strip():
                        self._db.execute(statement)
            if current == 0:
                self._db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            elif current < SCHEMA_VERSION:
                self._db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))
                logger.info("upgraded %s from schema %d to %d", self.path, current, SCHEMA_VERSION)

    # Reads outside a transaction see the last commit.

    def get_order(self, order_id: str) -> OrderRecord | None:
        return _Transaction(self._db).get_order(order_id)

    def list_orders(
        self, definition: str, states: Collection[str] | None = None
    ) -> Iterator[OrderRecord]:
        sql = f"SELECT {_ORDER_COLUMNS} FROM orders WHERE definition = ?"
        params: list[Any] = [definition]
        if states is not None:
            sql += f" AND state IN ({','.join('?' * len(states))})"
            params += list(states)
        for row in self._db.execute(sql + " ORDER BY created_at, id", params):
            yield _order(row)

    def journal(self, order_id: str) -> list[JournalEntry]:
        rows = self._db.execute(
            "SELECT seq, order_id, kind, event, source, target, data, reason, actor, at, "
            "definition_version FROM journal WHERE order_id = ? ORDER BY seq",
            (order_id,),
        )
        return [_entry(row) for row in rows]

    def calls(
        self, order_id: str | None = None, statuses: Collection[str] | None = None
    ) -> list[OutboxCall]:
        sql = f"SELECT {_CALL_COLUMNS} FROM outbox WHERE 1 = 1"
        params: list[Any] = []
        if order_id is not None:
            sql += " AND order_id = ?"
            params.append(order_id)
        if statuses is not None:
            sql += f" AND status IN ({','.join('?' * len(statuses))})"
            params += list(statuses)
        return [_call(row) for row in self._db.execute(sql + " ORDER BY id", params)]

    def state_counts(self, definition: str) -> dict[str, int]:
        rows = self._db.execute(
            "SELECT state, COUNT(*) FROM orders WHERE definition = ? GROUP BY state",
            (definition,),
        )
        return dict(rows.fetchall())

    def max_definition_version(self, definition: str) -> int | None:
        row = self._db.execute(
            "SELECT MAX(definition_version) FROM orders WHERE definition = ?", (definition,)
        ).fetchone()
        return row[0]


class _Transaction:
    """The statements of one transaction; the connection is already inside BEGIN."""

    __slots__ = ("_db",)

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def get_order(self, order_id: str) -> OrderRecord | None:
        row = self._db.execute(
            f"SELECT {_ORDER_COLUMNS} FROM orders WHERE id = ?", (order_id,)
        ).fetchone()
        return None if row is None else _order(row)

    def insert_order(self, order: OrderRecord) -> bool:
        cursor = self._db.execute(
            f"INSERT OR IGNORE INTO orders ({_ORDER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                order.order_id,
                order.definition,
                order.definition_version,
                order.state,
                order.version,
                _dumps(order.data),
                order.entered_seq,
                order.created_at,
                order.updated_at,
            ),
        )
        return cursor.rowcount == 1

    def update_order(self, order: OrderRecord, expected_version: int) -> bool:
        cursor = self._db.execute(
            "UPDATE orders SET definition_version = ?, state = ?, version = ?, data = ?, "
            "entered_seq = ?, updated_at = ? WHERE id = ? AND version = ?",
            (
                order.definition_version,
                order.state,
                order.version,
                _dumps(order.data),
                order.entered_seq,
                order.updated_at,
                order.order_id,
                expected_version,
            ),
        )
        return cursor.rowcount == 1

    def append_journal(self, entry: JournalEntry) -> int:
        cursor = self._db.execute(
            "INSERT INTO journal (order_id, kind, event, source, target, data, reason, actor, "
            "at, definition_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.order_id,
                entry.kind,
                entry.event,
                entry.source,
                entry.target,
                None if entry.data is None else _dumps(entry.data),
                entry.reason,
                entry.actor,
                entry.at,
                entry.definition_version,
            ),
        )
        return int(cursor.lastrowid or 0)

    def insert_calls(self, calls: Sequence[OutboxCall]) -> list[int]:
        ids = []
        for call in calls:
            cursor = self._db.execute(
                "INSERT INTO outbox (order_id, hook, channel, action, idempotency_key, payload, "
                "bound_state, bound_seq, attempts, next_due, status, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    call.order_id,
                    call.hook,
                    call.channel,
                    call.action,
                    call.idempotency_key,
                    _dumps(call.payload),
                    call.bound_state,
                    call.bound_seq,
                    call.attempts,
                    call.next_due,
                    call.status,
                    call.created_at,
                ),
            )
            ids.append(int(cursor.lastrowid or 0))
        return ids

    def due_calls(self, now: float, limit: int | None) -> list[OutboxCall]:
        rows = self._db.execute(
            f"SELECT {_CALL_COLUMNS} FROM outbox WHERE status = ? AND next_due <= ? "
            "ORDER BY next_due, id LIMIT ?",
            (PENDING, now, -1 if limit is None else limit),
        )
        return [_call(row) for row in rows]

    def get_call(self, call_id: int) -> OutboxCall | None:
        row = self._db.execute(
            f"SELECT {_CALL_COLUMNS} FROM outbox WHERE id = ?", (call_id,)
        ).fetchone()
        return None if row is None else _call(row)

    def update_call(self, call: OutboxCall) -> None:
        self._db.execute(
            "UPDATE outbox SET attempts = ?, next_due = ?, status = ?, first_try_at = ?, "
            "last_error = ? WHERE id = ?",
            (
                call.attempts,
                call.next_due,
                call.status,
                call.first_try_at,
                call.last_error,
                call.call_id,
            ),
        )

    def get_intake(self, key: str) -> dict[str, Any] | None:
        row = self._db.execute("SELECT result FROM intake WHERE key = ?", (key,)).fetchone()
        return None if row is None else json.loads(row[0])

    def put_intake(self, key: str, order_id: str, result: Mapping[str, Any], at: float) -> None:
        self._db.execute(
            "INSERT INTO intake (key, order_id, result, at) VALUES (?, ?, ?, ?)",
            (key, order_id, _dumps(result), at),
        )

    def remap_state(self, definition: str, old: str, new: str, at: float) -> int:
        moved = self._db.execute(
            "SELECT id, definition_version FROM orders WHERE definition = ? AND state = ?",
            (definition, old),
        ).fetchall()
        for order_id, version in moved:
            seq = self.append_journal(
                JournalEntry(
                    order_id,
                    MIGRATED,
                    at,
                    source=old,
                    target=new,
                    reason=f"state {old!r} was mapped to {new!r}",
                    definition_version=version,
                )
            )
            self._db.execute(
                "UPDATE orders SET state = ?, version = version + 1, entered_seq = ?, "
                "updated_at = ? WHERE id = ?",
                (new, seq, at, order_id),
            )
        return len(moved)

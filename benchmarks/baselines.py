"""Hand-written baselines for the order lifecycle of ``definitions/order.yaml``.

Each baseline does what the engine does for one event, as a user would write it without
the engine: a python-statemachine class with Python guards (one reused instance whose
state is set before each event), the same lifecycle in the ``transitions`` library, and
the durable path's writes done with raw ``sqlite3``. The guards mirror the definition's
CEL guards so that every baseline takes and refuses the same events as the engine.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed
from transitions import Machine, MachineError

ADDRESS_FIELDS = ("name", "address1", "city", "country")

# Events whose data is merged into the order before guards run, as in the definition.
MERGE_EVENTS = frozenset(
    {"ship", "retry", "wms_rejected", "wms_send_expired", "wms_cancel_refused"}
)


class Refused(Exception):
    """A baseline refused an event: not allowed in the state, or a guard said no."""


# --- the guards, in plain Python -------------------------------------------------------


def ship_method_mapped(order: dict[str, Any], settings: dict[str, Any]) -> bool:
    return "ship_method" in order and order["ship_method"] in settings["ship_method_map"]


def address_complete(order: dict[str, Any], settings: dict[str, Any]) -> bool:
    ship_to = order.get("ship_to")
    if not isinstance(ship_to, dict):
        return False
    return all(ship_to.get(f, "") != "" for f in ADDRESS_FIELDS)


def has_packages(order: dict[str, Any], settings: dict[str, Any]) -> bool:
    return bool(order.get("packages"))


def tracking_present(order: dict[str, Any], settings: dict[str, Any]) -> bool:
    if settings["accept_blank_tracking"]:
        return True
    return all(p.get("tracking", "") != "" for p in order.get("packages", ()))


def wms_can_cancel(order: dict[str, Any], settings: dict[str, Any]) -> bool:
    return bool(settings["wms_supports_cancel"])


def ready_to_send(order: dict[str, Any], settings: dict[str, Any]) -> bool:
    return ship_method_mapped(order, settings) and address_complete(order, settings)


def shipment_ok(order: dict[str, Any], settings: dict[str, Any]) -> bool:
    return has_packages(order, settings) and tracking_present(order, settings)


DEFAULT_SETTINGS: dict[str, Any] = {
    "ship_method_map": {},
    "send_cancellations_to_cart": False,
    "accept_blank_tracking": False,
    "wms_supports_cancel": True,
}


# --- (a) python-statemachine, one reused instance --------------------------------------


class OrderGuards:
    """The guards both hand-written baselines ask, reading the order and the settings."""

    order: dict[str, Any]
    settings: dict[str, Any]

    def ready(self) -> bool:
        return ready_to_send(self.order, self.settings)

    def shipment(self) -> bool:
        return shipment_ok(self.order, self.settings)

    def can_cancel(self) -> bool:
        return wms_can_cancel(self.order, self.settings)


class OrderMachine(OrderGuards, StateMachine):
    """The order lifecycle by hand. ``start`` stands for "no order yet" (creation)."""

    # Confirmed is an end only on the normal path ("resend tracking" reopens it), so not
    # every state reaches Canceled; the definition allows that.
    validate_final_reachability = False

    start = State(initial=True)
    new = State()
    cancel_sending = State()
    at_wms = State()
    shipped = State()
    confirmed = State()
    error = State()
    canceled = State(final=True)

    download = start.to(new, cond="ready") | start.to(error)
    cancel_sending_event = new.to(cancel_sending, event="cancel_sending")
    resume_sending = cancel_sending.to(new, cond="ready") | cancel_sending.to(error)
    wms_accepted = new.to(at_wms)
    wms_rejected = new.to(error)
    wms_send_expired = new.to(error)
    ship = at_wms.to(shipped, cond="shipment")
    cart_confirmed = shipped.to(confirmed)
    resend_tracking = shipped.to(shipped) | confirmed.to(shipped)
    resend_to_wms = at_wms.to(new, cond="ready") | error.to(new, cond="ready")
    retry = error.to(new, cond="ready")
    cancel = (
        new.to(canceled)
        | cancel_sending.to(canceled)
        | error.to(canceled)
        | at_wms.to(at_wms, cond="can_cancel")
    )
    wms_cancel_accepted = at_wms.to(canceled)
    wms_cancel_refused = at_wms.to(at_wms)
    wms_cancel = at_wms.to(canceled)

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.order: dict[str, Any] = {}
        super().__init__()


class StatemachineBaseline:
    """Apply one event to an order held outside the machine, as the engine does."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.machine = OrderMachine(settings)

    def apply(self, state: str | None, order: dict[str, Any], event: str, data: Any) -> str:
        machine = self.machine
        machine.current_state_value = state or "start"
        machine.order = _merged(order, event, data)
        try:
            machine.send(event)
        except TransitionNotAllowed as exc:
            raise Refused(event) from exc
        return machine.current_state_value


# --- (b) the transitions library -------------------------------------------------------


def _transitions_table(model: TransitionsModel) -> list[dict[str, Any]]:
    ready = model.ready
    rows = [
        ("download", "start", "new", ready),
        ("download", "start", "error", None),
        ("cancel_sending", "new", "cancel_sending", None),
        ("resume_sending", "cancel_sending", "new", ready),
        ("resume_sending", "cancel_sending", "error", None),
        ("wms_accepted", "new", "at_wms", None),
        ("wms_rejected", "new", "error", None),
        ("wms_send_expired", "new", "error", None),
        ("ship", "at_wms", "shipped", model.shipment),
        ("cart_confirmed", "shipped", "confirmed", None),
        ("resend_tracking", ["shipped", "confirmed"], "shipped", None),
        ("resend_to_wms", ["at_wms", "error"], "new", ready),
        ("retry", "error", "new", ready),
        ("cancel", ["new", "cancel_sending", "error"], "canceled", None),
        ("cancel", "at_wms", "at_wms", model.can_cancel),
        ("wms_cancel_accepted", "at_wms", "canceled", None),
        ("wms_cancel_refused", "at_wms", "at_wms", None),
        ("wms_cancel", "at_wms", "canceled", None),
    ]
    table = []
    for trigger, source, dest, cond in rows:
        row: dict[str, Any] = {"trigger": trigger, "source": source, "dest": dest}
        if cond is not None:
            row["conditions"] = cond
        table.append(row)
    return table


class TransitionsModel(OrderGuards):
    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.order: dict[str, Any] = {}
        self.state = "start"


class TransitionsBaseline:
    """The same lifecycle in ``transitions``; one model whose state is set per event."""

    STATES = ("start", "new", "cancel_sending", "at_wms", "shipped", "confirmed", "error",
              "canceled")  # fmt: skip

    def __init__(self, settings: dict[str, Any]) -> None:
        self.model = TransitionsModel(settings)
        self.machine = Machine(
            model=self.model,
            states=list(self.STATES),
            transitions=_transitions_table(self.model),
            initial="start",
            auto_transitions=False,
        )

    def apply(self, state: str | None, order: dict[str, Any], event: str, data: Any) -> str:
        model = self.model
        model.state = state or "start"
        model.order = _merged(order, event, data)
        try:
            taken = model.trigger(event)
        except (MachineError, AttributeError) as exc:
            raise Refused(event) from exc
        if not taken:
            raise Refused(event)
        return model.state


# --- (c) raw sqlite3: the writes of the durable path -----------------------------------

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY, state TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT NOT NULL, event TEXT NOT NULL,
    source TEXT, target TEXT, outcome TEXT NOT NULL, reason TEXT, at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT NOT NULL, hook TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE, due REAL NOT NULL, status TEXT NOT NULL
);
"""

# Hooks scheduled on entering a state, as the definition binds them.
STATE_HOOKS = {"new": ("wms_create_order",), "shipped": ("cart_confirm_shipment",)}
HOOK_SUCCESS = {"wms_create_order": "wms_accepted", "cart_confirm_shipment": "cart_confirmed"}


class SqliteBaseline:
    """One event = one transaction: read, run the machine, compare-and-set, journal, outbox.

    ``synchronous`` defaults to FULL, the setting a commit that survives power loss needs.
    """

    def __init__(self, path: Path, settings: dict[str, Any], synchronous: str = "FULL") -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA synchronous={synchronous}")
        self.db.executescript(SCHEMA)
        self.machine = StatemachineBaseline(settings)

    def close(self) -> None:
        self.db.close()

    def apply(self, order_id: str, event: str, data: Any) -> str:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            target = self._step(order_id, event, data)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return target

    def deliver_due(self) -> int:
        """Deliver every pending hook call as the outbox does: claim, deliver, record.

        Claim and record are two transactions; the record marks the call delivered,
        journals it and applies the hook's success event in the same transaction.
        """
        due = self.db.execute(
            "SELECT id, order_id, hook FROM outbox WHERE status = 'pending' ORDER BY id"
        ).fetchall()
        for call_id, order_id, hook in due:
            with self._transaction():
                self.db.execute("UPDATE outbox SET due = due + 60 WHERE id = ?", (call_id,))
            with self._transaction():
                self.db.execute("UPDATE outbox SET status = 'delivered' WHERE id = ?", (call_id,))
                self._journal(order_id, hook, None, None, "hook_delivered", None)
                self._step(order_id, HOOK_SUCCESS[hook], {})
        return len(due)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def _step(self, order_id: str, event: str, data: Any) -> str:
        db = self.db
        row = db.execute(
            "SELECT state, version, data FROM orders WHERE id = ?", (order_id,)
        ).fetchone()
        state, version, order = (row[0], row[1], json.loads(row[2])) if row else (None, 0, {})
        if row is None:
            order = dict(data or {})

        try:
            target = self.machine.apply(state, order, event, data)
        except Refused:
            self._journal(order_id, event, state, None, "refused", "not allowed")
            return state or ""

        order = self.machine.machine.order
        text = json.dumps(order, separators=(",", ":"))
        if row is None:
            db.execute(
                "INSERT INTO orders (id, state, version, data) VALUES (?, ?, 1, ?)",
                (order_id, target, text),
            )
        else:
            changed = db.execute(
                "UPDATE orders SET state = ?, version = ?, data = ? WHERE id = ? AND version = ?",
                (target, version + 1, text, order_id, version),
            ).rowcount
            if changed != 1:
                raise RuntimeError(f"lost the compare-and-set on {order_id!r}")

        seq = self._journal(order_id, event, state, target, "applied", None)
        for hook in STATE_HOOKS.get(target, ()) if target != state else ():
            db.execute(
                "INSERT INTO outbox (order_id, hook, idempotency_key, due, status) "
                "VALUES (?, ?, ?, 0, 'pending')",
                (order_id, hook, f"{order_id}:{seq}:{hook}"),
            )
        return target

    def _journal(
        self,
        order_id: str,
        event: str,
        source: str | None,
        target: str | None,
        outcome: str,
        reason: str | None,
    ) -> int:
        cursor = self.db.execute(
            "INSERT INTO journal (order_id, event, source, target, outcome, reason, at) "
            "VALUES (?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00Z')",
            (order_id, event, source, target, outcome, reason),
        )
        return int(cursor.lastrowid or 0)


def _merged(order: dict[str, Any], event: str, data: Any) -> dict[str, Any]:
    if event in MERGE_EVENTS and data:
        return {**order, **data}
    return order


Applier = Callable[[str | None, dict[str, Any], str, Any], str]

"""How much the engine costs per event, against python-statemachine alone; and its memory.

Prints figures, measured in one run (the median of several repetitions):

(a) in memory: ``Engine.send`` on a dictionary store, against ``send`` on one reused
    instance of a hand-written python-statemachine class for the same lifecycle, with the
    same compiled CEL guards (target: at most 1.15x);
(b) durable: ``Engine.send`` on a SQLite file (WAL, synchronous=FULL), against that
    ``send`` plus the same writes done with raw sqlite3 (target: at most 1.3x);
(c) resident memory of the process as the number of stored orders grows.

Run: ``python benchmarks/engine_overhead.py [--events N] [--repeat R] [--orders 10000,100000]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from statemachine import State, StateMachine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import load  # noqa: E402
from engine.clock import ManualClock  # noqa: E402
from engine.lifecycle import Lifecycle  # noqa: E402
from engine.runtime import Engine  # noqa: E402
from engine.store.memory import MemoryStore  # noqa: E402

SETTINGS = {
    "ship_method_map": {"UPS_GROUND": {"carrier": "UPS", "method": "03"}},
    "send_cancellations_to_cart": False,
    "accept_blank_tracking": False,
    "wms_supports_cancel": True,
}
ORDER = {
    "id": "",
    "ship_method": "UPS_GROUND",
    "ship_to": {"name": "R", "address1": "1 St", "city": "X", "country": "US"},
    "lines": [{"sku": "MUG", "quantity": 1}],
}
# After the download, each order goes round: stop sending, resume (guarded), again.
ROUND = ("cancel_sending", "resume_sending")


def hand_written(lifecycle: Lifecycle) -> type[StateMachine]:
    """The order lifecycle written by hand, with the same compiled CEL guards."""
    compiled = lifecycle.guards

    def guard(name: str) -> Callable[..., bool]:
        expression = compiled[name]

        def check(order: dict, payload: dict, settings: dict) -> bool:
            return expression(order, payload, settings)

        check.__name__ = name
        return check

    mapped, address = guard("ship_method_mapped"), guard("address_complete")
    packages, tracking = guard("has_packages"), guard("tracking_present")
    can_cancel = guard("wms_can_cancel")

    class OrderMachine(StateMachine):
        # Confirmed is an end that operators can reopen, not a final state.
        validate_final_reachability = False

        start = State(initial=True)
        new = State()
        cancel_sending_state = State()
        at_wms = State()
        shipped = State()
        confirmed = State()
        error = State()
        canceled = State(final=True)

        download = start.to(new, cond=[mapped, address]) | start.to(error)
        cancel_sending = new.to(cancel_sending_state)
        resume_sending = cancel_sending_state.to(new, cond=[mapped, address]) | (
            cancel_sending_state.to(error)
        )
        wms_accepted = new.to(at_wms)
        wms_rejected = new.to(error)
        wms_send_expired = new.to(error)
        ship = at_wms.to(shipped, cond=[packages, tracking])
        cart_confirmed = shipped.to(confirmed)
        resend_tracking = shipped.to(shipped) | confirmed.to(shipped)
        resend_to_wms = at_wms.to(new, cond=[mapped, address]) | error.to(
            new, cond=[mapped, address]
        )
        retry = error.to(new, cond=[mapped, address])
        cancel = (
            new.to(canceled)
            | cancel_sending_state.to(canceled)
            | error.to(canceled)
            | at_wms.to(at_wms, cond=[can_cancel])
        )
        wms_cancel_accepted = at_wms.to(canceled)
        wms_cancel_refused = at_wms.to(at_wms)
        wms_cancel = at_wms.to(canceled)

    return OrderMachine


def baseline_events(machine: StateMachine, orders: int, write: Callable[..., None] | None):
    """Run the workload on one reused instance; ``write`` does the durable part, if any."""
    states: dict[str, str] = {}
    data: dict[str, dict] = {}

    def step(order_id: str, event: str, payload: dict) -> None:
        machine.current_state_value = states.get(order_id, "start")
        order = data.get(order_id, payload)
        machine.send(event, order=order, payload=payload, settings=SETTINGS)
        if write is not None:
            write(order_id, event, states.get(order_id), machine.current_state_value, order)
        states[order_id] = machine.current_state_value
        data[order_id] = order

    return step


def baseline_writer(db: sqlite3.Connection) -> Callable[..., None]:
    """The same rows the engine writes per event, with raw sqlite3, one transaction each."""
    version: dict[str, int] = {}

    def write(order_id: str, event: str, source: str | None, target: str, order: dict) -> None:
        db.execute("BEGIN IMMEDIATE")
        db.execute("SELECT state, version, data FROM orders WHERE id = ?", (order_id,)).fetchone()
        cursor = db.execute(
            "INSERT INTO journal (order_id, kind, event, source, target, data, at) "
            "VALUES (?, 'applied', ?, ?, ?, '{}', 0)",
            (order_id, event, source, target),
        )
        seq = cursor.lastrowid
        text = json.dumps(order, separators=(",", ":"))
        if source is None:
            db.execute(
                "INSERT INTO orders VALUES (?, 'order', 1, ?, 1, ?, ?, 0, 0)",
                (order_id, target, text, seq),
            )
        else:
            db.execute(
                "UPDATE orders SET state = ?, version = ?, data = ?, entered_seq = ? "
                "WHERE id = ? AND version = ?",
                (target, version[order_id] + 1, text, seq, order_id, version[order_id]),
            )
        version[order_id] = version.get(order_id, 0) + 1
        if target == "new":
            db.execute(
                "INSERT INTO outbox (order_id, hook, payload, next_due) VALUES (?, 'h', ?, 0)",
                (order_id, json.dumps({"order": order}, separators=(",", ":"))),
            )
        db.execute("COMMIT")

    return write


def raw_database(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(
        """
        CREATE TABLE orders (id TEXT PRIMARY KEY, definition TEXT, definition_version INT,
            state TEXT, version INT, data TEXT, entered_seq INT, created_at REAL,
            updated_at REAL);
        CREATE TABLE journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT, kind TEXT,
            event TEXT, source TEXT, target TEXT, data TEXT, at REAL);
        CREATE INDEX journal_by_order ON journal (order_id, seq);
        CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, order_id TEXT, hook TEXT,
            payload TEXT, next_due REAL);
        """
    )
    return db


def workload(events: int) -> list[tuple[str, str, dict]]:
    """``events`` events: downloads, then rounds of cancel / resume on those orders."""
    orders = max(events // 9, 1)
    plan = [(f"O-{n}", "download", {**ORDER, "id": f"O-{n}"}) for n in range(orders)]
    while len(plan) < events:
        for n in range(orders):
            for event in ROUND:
                plan.append((f"O-{n}", event, {}))
    return plan[:events]


def timed(run: Callable[[str, str, dict], Any], plan: list[tuple[str, str, dict]]) -> float:
    start = time.perf_counter()
    for order_id, event, data in plan:
        run(order_id, event, data)
    return (time.perf_counter() - start) / len(plan)


def measure(lifecycle: Lifecycle, events: int, repeat: int) -> dict[str, float]:
    plan = workload(events)
    machine_class = hand_written(lifecycle)
    figures: dict[str, list[float]] = {"sm": [], "engine_mem": [], "sm_sql": [], "engine_sql": []}
    for _ in range(repeat):
        figures["sm"].append(timed(baseline_events(machine_class(), events, None), plan))

        engine = Engine(lifecycle, MemoryStore(), settings=SETTINGS, clock=ManualClock())
        figures["engine_mem"].append(timed(engine.send, plan))

        with tempfile.TemporaryDirectory() as tmp:
            db = raw_database(Path(tmp) / "raw.db")
            step = baseline_events(machine_class(), events, baseline_writer(db))
            figures["sm_sql"].append(timed(step, plan))
            db.close()

            engine = Engine(lifecycle, Path(tmp) / "engine.db", settings=SETTINGS)
            figures["engine_sql"].append(timed(engine.send, plan))
            engine.close()
    return {name: statistics.median(values) for name, values in figures.items()}


def rss_bytes() -> int:
    """The resident set size of this process now (Linux), in bytes."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def memory_growth(lifecycle: Lifecycle, steps: list[int]) -> Iterator[tuple[int, float]]:
    """RSS after storing each number of orders in ``steps`` (non-durable, for speed)."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(lifecycle, Path(tmp) / "grow.db", settings=SETTINGS, durable=False)
        stored = 0
        for target in steps:
            while stored < target:
                engine.create(f"M-{stored}", {**ORDER, "id": f"M-{stored}"})
                stored += 1
            yield stored, rss_bytes() / 2**20
        engine.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--orders", default="10000,100000", help="comma-separated order counts")
    args = parser.parse_args()

    lifecycle = load(ROOT / "definitions" / "order.yaml")
    figures = measure(lifecycle, args.events, args.repeat)
    sm, mem, sm_sql, sql = (figures[k] for k in ("sm", "engine_mem", "sm_sql", "engine_sql"))
    print(f"events per run: {args.events}, repetitions: {args.repeat} (medians)", flush=True)
    print(f"(a) python-statemachine send, reused instance: {sm * 1e6:8.1f} us/event")
    print(f"    Engine.send, in-memory store:               {mem * 1e6:8.1f} us/event")
    print(f"    ratio: {mem / sm:.2f}x (target <= 1.15x)")
    print(f"(b) send + the same writes in raw sqlite3:      {sm_sql * 1e6:8.1f} us/event")
    print(f"    Engine.send, SQLite (WAL, synchronous=FULL): {sql * 1e6:8.1f} us/event")
    print(f"    ratio: {sql / sm_sql:.2f}x (target <= 1.3x)")

    steps = [int(n) for n in args.orders.split(",") if n.strip()]
    print("(c) resident memory as stored orders grow:")
    for orders, mib in memory_growth(lifecycle, steps):
        print(f"    {orders:>9} orders: {mib:7.1f} MiB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The engine against what users would write instead, pair by pair, in one run.

Pairs (each the median of interleaved repetitions, ratio engine / baseline):

- durable: ``Engine.create``/``send`` on a SQLite file against python-statemachine plus the
  same writes in raw sqlite3 (read, compare-and-set, journal row, outbox rows), both with
  ``synchronous=FULL`` and WAL.
- against python-statemachine's own ``send`` on one reused instance, and against the
  ``transitions`` library: the baselines keep no record, so these ratios show what
  durability and the journal cost on top of a bare machine.

Run: ``python -m benchmarks.compare`` from the repository root.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
from pathlib import Path

from benchmarks.baselines import (
    Refused,
    SqliteBaseline,
    StatemachineBaseline,
    TransitionsBaseline,
)
from benchmarks.harness import (
    SETTINGS,
    Pair,
    drive_engine,
    drive_raw,
    emit,
    engine_missing,
    event_mix,
    open_engine,
    order_data,
    quick,
    quiet_logs,
    run_pair,
    timed,
)


def machine_work(baseline: StatemachineBaseline | TransitionsBaseline, orders: int) -> float:
    """µs per event for an in-memory baseline; orders are kept in a dict as the state store."""
    states: dict[str, str | None] = {}
    datas: dict[str, dict] = {}

    def work() -> int:
        count = 0
        for order_id, event, data in event_mix(orders):
            if event == "download":
                datas[order_id] = order_data(order_id)
            with contextlib.suppress(Refused):
                states[order_id] = baseline.apply(
                    states.get(order_id), datas[order_id], event, data
                )
            count += 1
        states.clear()
        return count

    return timed(work)


def sqlite_work(folder: Path, orders: int, run: list[int]) -> float:
    run[0] += 1
    db = SqliteBaseline(folder / f"raw{run[0]}.db", SETTINGS)
    try:
        figure = timed(lambda: drive_raw(db, orders))
        ended = db.db.execute("SELECT state, COUNT(*) FROM orders GROUP BY state").fetchall()
        assert dict(ended) == {"confirmed": orders}, f"the baseline ended with {ended}"
        return figure
    finally:
        db.close()


def engine_work(folder: Path, orders: int, run: list[int]) -> float:
    run[0] += 1
    eng = open_engine(folder / f"engine{run[0]}.db")
    try:
        figure = timed(lambda: drive_engine(eng, orders))
        # Same work on both sides: every order confirmed, as in the baseline.
        ended = eng.store.state_counts(eng.definition.name)
        assert ended == {"confirmed": orders}, f"the engine ended with {ended}"
        return figure
    finally:
        eng.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100 if quick() else 300)
    parser.add_argument("--repeats", type=int, default=3 if quick() else 5)
    args = parser.parse_args()

    quiet_logs()
    missing = engine_missing()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pairs = []
        counter = [0]

        # The baselines against each other first: a sanity figure that needs no engine.
        psm = StatemachineBaseline(SETTINGS)
        tr = TransitionsBaseline(SETTINGS)
        pairs.append(
            run_pair(
                Pair(
                    "transitions vs statemachine (in memory)",
                    "transitions",
                    "statemachine",
                    "µs/event",
                ),
                lambda: machine_work(tr, args.orders),
                lambda: machine_work(psm, args.orders),
                args.repeats,
            )
        )
        if missing is None:
            eng = lambda: engine_work(folder, args.orders, counter)  # noqa: E731
            pairs.append(
                run_pair(
                    Pair(
                        "durable: engine vs statemachine + raw sqlite3",
                        "engine",
                        "raw sqlite3",
                        "µs/event",
                        target=1.3,
                    ),
                    eng,
                    lambda: sqlite_work(folder, args.orders, counter),
                    args.repeats,
                )
            )
            pairs.append(
                run_pair(
                    Pair(
                        "engine (durable) vs statemachine send (in memory)",
                        "engine",
                        "statemachine",
                        "µs/event",
                    ),
                    eng,
                    lambda: machine_work(psm, args.orders),
                    args.repeats,
                )
            )
            pairs.append(
                run_pair(
                    Pair(
                        "engine (durable) vs transitions (in memory)",
                        "engine",
                        "transitions",
                        "µs/event",
                    ),
                    eng,
                    lambda: machine_work(tr, args.orders),
                    args.repeats,
                )
            )

    for pair in pairs:
        print(pair.line())
    if missing:
        print(f"engine pairs skipped: {missing}")
    emit(
        "compare",
        {
            "orders": args.orders,
            "events": args.orders * 6,
            "repeats": args.repeats,
            "pairs": [p.as_dict() for p in pairs],
            "skipped": missing,
        },
    )


if __name__ == "__main__":
    main()

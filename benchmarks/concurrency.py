"""Throughput as writer processes are added (1, 2, 4), the engine against raw sqlite3.

Every process flips the same orders between New and Cancel Sending (``cancel_sending`` /
``resume_sending``; about half are refused, and refusals are journaled too), so the
processes contend for SQLite's single write lock just as services sharing a file would.
The figure is events per second across all processes; each process count is measured for
the engine and for the raw sqlite3 baseline in turn, several times, and the ratio of the
median times is reported.

Run: ``python -m benchmarks.concurrency`` from the repository root.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.baselines import Refused, SqliteBaseline
from benchmarks.harness import (
    ROOT,
    SETTINGS,
    Pair,
    emit,
    engine_missing,
    open_engine,
    order_data,
    quick,
    run_pair,
    send_all,
)

ORDERS = 20
FLIPS = ("cancel_sending", "resume_sending")


def worker(kind: str, db: str, number: int, events: int, go: str) -> None:
    """Send ``events`` flips once the start file ``go`` exists."""
    logging.getLogger("engine").setLevel(logging.ERROR)
    if kind == "engine":
        eng = open_engine(db, adapters={})
        apply = lambda o, e: send_all(eng, [(o, e, {})])  # noqa: E731
    else:
        raw = SqliteBaseline(Path(db), SETTINGS)
        apply = lambda o, e: _raw_apply(raw, o, e)  # noqa: E731
    while not Path(go).exists():
        time.sleep(0.001)  # the start line for all workers

    for n in range(events):
        apply(f"o{(n + number) % ORDERS}", FLIPS[(n // ORDERS + number) % 2])


def _raw_apply(raw: SqliteBaseline, order_id: str, event: str) -> None:
    with contextlib.suppress(Refused):
        raw.apply(order_id, event, {})


def prepare(kind: str, db: Path) -> None:
    """Create the orders (New, no hook delivery), untimed."""
    if kind == "engine":
        eng = open_engine(db, adapters={})
        send_all(eng, ((f"o{n}", "download", order_data(f"o{n}")) for n in range(ORDERS)))
        eng.close()
    else:
        raw = SqliteBaseline(db, SETTINGS)
        for n in range(ORDERS):
            raw.apply(f"o{n}", "download", order_data(f"o{n}"))
        raw.close()


def measure(kind: str, folder: Path, processes: int, events: int, run: list[int]) -> float:
    """Seconds per event (all processes together), from the start line to the last exit."""
    run[0] += 1
    db, go = folder / f"{kind}{run[0]}.db", folder / f"go{run[0]}-{kind}"
    prepare(kind, db)
    argv = [sys.executable, "-m", "benchmarks.concurrency", "--worker", kind, str(db)]
    procs = [
        subprocess.Popen([*argv, str(n), str(events), str(go)], cwd=ROOT) for n in range(processes)
    ]
    time.sleep(0.5)  # let every worker import and open the database before the start
    start = time.perf_counter()
    go.touch()
    for proc in procs:
        if proc.wait(timeout=600) != 0:
            raise RuntimeError(f"a {kind} worker failed")
    return (time.perf_counter() - start) / (processes * events) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=5, metavar=("KIND", "DB", "N", "EVENTS", "GO"))
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--events", type=int, default=100 if quick() else 200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.worker:
        kind, db, number, events, go = args.worker
        worker(kind, db, int(number), int(events), go)
        return

    missing = engine_missing()
    rows: list[dict[str, Any]] = []
    counter = [0]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for processes in args.processes:
            pair = Pair(f"{processes} writer process(es)", "engine", "raw sqlite3", "µs/event")
            raw = lambda p=processes: measure("raw", folder, p, args.events, counter)  # noqa: E731
            if missing is None:
                eng = lambda p=processes: measure("engine", folder, p, args.events, counter)  # noqa: E731
                run_pair(pair, eng, raw, args.repeats)
            else:
                pair.engine_runs = pair.baseline_runs = [raw() for _ in range(args.repeats)]
            row = pair.as_dict()
            row["engine_events_per_s"] = round(1e6 / pair.engine_median)
            row["baseline_events_per_s"] = round(1e6 / pair.baseline_median)
            print(pair.line() + f"; engine {row['engine_events_per_s']} events/s in total")
            rows.append(row)

    throughput = {r["name"]: r["engine_events_per_s"] for r in rows}
    emit("concurrency", {"pairs": rows, "throughput": throughput, "skipped": missing})
    print(json.dumps(throughput))


if __name__ == "__main__":
    main()

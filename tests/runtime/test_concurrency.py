"""Two processes sending to the same orders at once lose no update."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from engine import load
from engine.runtime import Engine

NOTES = """
lifecycle: notes
version: 1
states:
  open: {label: Open, api_value: open}
  closed: {label: Closed, api_value: closed, final: true}
events:
  download: {}
  note: {merge: true}
  close: {}
transitions:
  - {event: download, target: open}
  - {event: note, source: open, target: open}
  - {event: close, source: open, target: closed}
"""
ORDERS = ("N-1", "N-2", "N-3")
NOTES_PER_WORKER = 25


def worker(db: str, name: str) -> None:
    """Add notes to every order; each note is a key only this worker writes."""
    with Engine(load(NOTES), db) as engine:
        for n in range(NOTES_PER_WORKER):
            for order_id in ORDERS:
                engine.send(order_id, "note", {f"{name}-{n}": n}, actor=name)


def test_two_processes_lose_no_update(tmp_path: Path):
    db = str(tmp_path / "notes.db")
    with Engine(load(NOTES), db) as engine:
        for order_id in ORDERS:
            engine.create(order_id, {"id": order_id})

    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=worker, args=(db, name)) for name in ("p1", "p2")]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0, 0]

    with Engine(load(NOTES), db) as engine:
        for order_id in ORDERS:
            order = engine.get(order_id)
            # Every note of both workers is in the data, and every one bumped the version.
            assert order.version == 1 + 2 * NOTES_PER_WORKER
            assert len(order.data) == 1 + 2 * NOTES_PER_WORKER
            versions = [e.seq for e in engine.history(order_id)]
            assert len(versions) == order.version

"""The process the crash test kills: replays an event log through the Engine API.

Usage: ``python -m tests.faults.crash_child DB LOG URL [--final]``. Every line carries an
idempotency key, so running again from the top skips what was applied. Lines are read as
``lifecycle run`` reads them, so that a run of either kind can resume the other's work.
Hook calls go to ``URL`` over HTTP and are dispatched after every line. ``--final`` runs
with a clock an hour ahead, so that calls claimed by a killed run (whose lease has not run
out yet) are due again, and dispatches until the outbox holds nothing due.
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import engine
from engine.errors import IntakeError, OrderError
from engine.hooks.adapters import HttpAdapter
from engine.intake import LogEvent, read_event_log
from engine.runtime import Engine
from tests.faults.crashkit import ORDER_DEFINITION, SETTINGS


class AheadClock:
    """The real time, ``ahead`` seconds later."""

    def __init__(self, ahead: float) -> None:
        self.ahead = ahead

    def now(self) -> float:
        return time.time() + self.ahead


def main(argv: list[str]) -> int:
    db, log, url = Path(argv[0]), Path(argv[1]), argv[2]
    final = "--final" in argv
    logging.basicConfig(level=logging.ERROR)

    adapters = {
        "wms": HttpAdapter(f"{url}/wms", "wms", secret="crash-test", timeout=5.0),
        "cart": HttpAdapter(f"{url}/cart", "cart", secret="crash-test", timeout=5.0),
    }
    eng = Engine(
        engine.load(ORDER_DEFINITION),
        store=f"sqlite:///{db}",
        adapters=adapters,
        settings=SETTINGS,
        clock=AheadClock(3600.0 if final else 0.0),
    )
    for line in read_event_log(log):
        if isinstance(line, IntakeError):
            raise line
        apply(eng, line)
        eng.dispatch()

    while eng.dispatch().total:
        pass
    eng.close()
    return 0


def apply(eng: Engine, line: LogEvent) -> None:
    options = {"idempotency_key": line.idempotency_key}
    try:
        if line.event == "download":
            eng.create(line.order_id, line.data, **options)
        else:
            eng.send(line.order_id, line.event, line.data, actor=line.actor, **options)
    except OrderError:
        pass  # journaled by the engine; the check reads the journal


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

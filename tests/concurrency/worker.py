"""One of several processes sending events to the same orders at once.

Usage: ``python -m tests.concurrency.worker DB WORKER ROUNDS ORDERS GO OUT``. The worker
waits for the file GO to exist (so that all start together), then for each round sends
``cancel_sending`` or ``resume_sending`` to every order (each flips New and Cancel
Sending, so about half are refused), every event with its own idempotency key; every
fifth event is sent a second time with the same key. What came back goes to OUT as JSON.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import engine
from engine.errors import EventRefused
from engine.runtime import Engine

DEFINITION = Path(__file__).resolve().parents[2] / "definitions" / "order.yaml"
SETTINGS = {"ship_method_map": {"UPS_GROUND": {"carrier": "UPS", "method": "Ground"}}}


def main(argv: list[str]) -> int:
    db, worker, rounds, orders = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    go, out = Path(argv[4]), Path(argv[5])
    logging.basicConfig(level=logging.ERROR)
    eng = Engine(engine.load(DEFINITION), store=f"sqlite:///{db}", settings=SETTINGS)

    while not go.exists():
        time.sleep(0.005)  # a start line for all workers, not a test of time

    results = []
    for round_ in range(rounds):
        event = ("cancel_sending", "resume_sending")[(round_ + worker) % 2]
        for n in range(orders):
            key = f"w{worker}-r{round_}-o{n}"
            results.append(send(eng, f"o{n}", event, key, worker))
            if (round_ * orders + n) % 5 == 0:
                results.append({**send(eng, f"o{n}", event, key, worker), "repeat": True})
    eng.close()
    out.write_text(json.dumps(results), encoding="utf-8")
    return 0


def send(eng: Engine, order_id: str, event: str, key: str, worker: int) -> dict:
    try:
        result = eng.send(order_id, event, actor=f"worker{worker}", idempotency_key=key)
    except EventRefused as exc:
        return {"order_id": order_id, "key": key, "refused": str(exc)}
    return {
        "order_id": order_id,
        "key": key,
        "version": result.version,
        "seq": result.seq,
        "duplicate": result.duplicate,
    }


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

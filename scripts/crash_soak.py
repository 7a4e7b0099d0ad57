#!/usr/bin/env python3
"""The long crash run: many rounds of SIGKILLs while a child replays an event log with hooks.

Each round writes a fresh log (its own seed), starts a hook receiver on 127.0.0.1, kills
the replaying child with SIGKILL at random moments ``--kills`` times, lets a last run
finish, and checks: every event applied exactly once and in order, the journal
contiguous and replaying to each stored state, every hook call of a committed transition
delivered at least once and none for one that did not commit. Rounds repeat until
``--minutes`` have passed (or ``--rounds`` are done); a failed check stops the run.

Usage (from the repository root)::

    python scripts/crash_soak.py --minutes 5 --orders 300 --kills 40 --seed 1
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults.crashkit import check, crash_loop, write_log  # noqa: E402
from tests.faults.hookserver import HookServer  # noqa: E402


def one_round(folder: Path, orders: int, kills: int, seed: int, max_delay: float) -> dict:
    db, log = folder / f"round{seed}.db", folder / f"round{seed}.jsonl"
    write_log(log, orders=orders, seed=seed)
    server = HookServer().start()
    try:
        run = crash_loop(
            db, log, server, kills=kills, seed=seed, max_delay=max_delay, min_delay=0.3
        )
        checked = check(db, log, server)
    finally:
        server.stop()
    return {"seed": seed, "runs": run.runs, "kills": run.kills, "seconds": run.seconds, **checked}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="stop starting rounds after")
    parser.add_argument("--rounds", type=int, default=0, help="at most this many (0: no limit)")
    parser.add_argument("--orders", type=int, default=300, help="orders per round's log")
    parser.add_argument("--kills", type=int, default=40, help="SIGKILLs per round")
    parser.add_argument("--max-delay", type=float, default=1.5, help="longest wait before a kill")
    parser.add_argument("--seed", type=int, default=1, help="first round's seed")
    args = parser.parse_args()

    deadline = time.monotonic() + args.minutes * 60
    totals = {"rounds": 0, "runs": 0, "kills": 0, "lines": 0, "journal_entries": 0,
              "hook_calls": 0, "requests": 0, "redelivered": 0}  # fmt: skip
    seed = args.seed
    with tempfile.TemporaryDirectory() as tmp:
        while time.monotonic() < deadline and (not args.rounds or totals["rounds"] < args.rounds):
            result = one_round(Path(tmp), args.orders, args.kills, seed, args.max_delay)
            print(json.dumps(result), flush=True)
            totals["rounds"] += 1
            for key in totals.keys() - {"rounds"}:
                totals[key] += result[key]
            seed += 1
    print("TOTAL " + json.dumps(totals), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

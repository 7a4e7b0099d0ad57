"""The crash test's parts: an event log, a child that replays it, the kill loop, the checks.

The child (``python -m tests.faults.crash_child``) replays the log through the Engine
API, each line with its own idempotency key, dispatching hook calls to an HTTP server
after every line. The parent kills it with SIGKILL at random (seeded) moments and starts
it again; a replay of the same log must be idempotent. A last run goes to the end, then
:func:`check` compares the store, the journal and what the server received.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.faults.hookserver import HookServer

ROOT = Path(__file__).resolve().parents[2]
ORDER_DEFINITION = ROOT / "definitions" / "order.yaml"

SETTINGS: dict[str, Any] = {
    "ship_method_map": {"UPS_GROUND": {"carrier": "UPS", "method": "Ground"}},
}
ADDRESS = {"name": "Ada Lovelace", "address1": "1 Main St", "city": "Springfield", "country": "US"}
PACKAGE = {"carrier": "UPS", "method": "Ground", "tracking": "1Z999"}


def order(order_id: str, mapped: bool) -> dict[str, Any]:
    return {
        "id": order_id,
        "source": "shopify",
        "ship_method": "UPS_GROUND" if mapped else "POSTAL",
        "ship_to": dict(ADDRESS),
        "lines": [{"sku": "SKU-1", "quantity": 1}],
    }


def write_log(path: Path, orders: int, seed: int) -> int:
    """Write an event log for ``orders`` orders; return its number of lines.

    Each order is downloaded; most have a mapped ship method (New, then At WMS once the
    WMS hook is delivered), some not (Error, later canceled). Mapped orders are shipped a
    few lines later, some without packages (a guard refuses), and some get their tracking
    resent. Whether ``ship`` finds the order At WMS depends on when hooks were delivered,
    so a refusal is a valid outcome too; it must only be journaled exactly once.
    """
    rng = random.Random(seed)
    lines: list[dict[str, Any]] = []
    pending: list[dict[str, Any]] = []
    for n in range(orders):
        order_id = f"c{n}"
        mapped = rng.random() < 0.8
        lines.append({"order_id": order_id, "event": "download", "data": order(order_id, mapped)})
        if mapped:
            if rng.random() < 0.15:
                pending.append({"order_id": order_id, "event": "ship", "data": {"packages": []}})
            pending.append(
                {"order_id": order_id, "event": "ship", "data": {"packages": [PACKAGE]}}
            )
            if rng.random() < 0.2:
                pending.append({"order_id": order_id, "event": "resend_tracking"})
        else:
            pending.append({"order_id": order_id, "event": "cancel", "actor": "cart"})
        # Later events of earlier orders come in between, as in a real log.
        while pending and (len(pending) > 3 or n == orders - 1):
            lines.append(pending.pop(0))

    with path.open("w", encoding="utf-8") as handle:
        for number, line in enumerate(lines, 1):
            line["idempotency_key"] = f"line-{number}"
            handle.write(json.dumps(line) + "\n")
    return len(lines)


def read_log(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


CHILDREN = ("api", "cli")


def child_command(
    db: Path, log: Path, url: str, *, final: bool = False, child: str = "api"
) -> list[str]:
    """The replaying process: our API child, or ``lifecycle run`` itself (``cli``).

    The last run is always the API child with ``--final``: it flushes calls that a
    killed run claimed and whose lease has not run out yet.
    """
    if child == "cli" and not final:
        settings = log.with_suffix(".settings.json")
        if not settings.exists():
            settings.write_text(json.dumps(SETTINGS), encoding="utf-8")
        return [
            sys.executable, "-m", "engine", "run", str(ORDER_DEFINITION), str(log),
            "--db", str(db), "--settings", str(settings),
            "--wms", f"{url}/wms", "--cart", f"{url}/cart",
        ]  # fmt: skip
    argv = [sys.executable, "-m", "tests.faults.crash_child", str(db), str(log), url]
    return [*argv, "--final"] if final else argv


@dataclass
class CrashRun:
    """What one crash loop did."""

    kills: int = 0
    runs: int = 0
    finished_early: int = 0
    seconds: float = 0.0
    checked: dict[str, int] = field(default_factory=dict)


def crash_loop(
    db: Path,
    log: Path,
    server: HookServer,
    *,
    kills: int,
    seed: int,
    max_delay: float = 1.2,
    min_delay: float = 0.05,
    child: str = "api",
) -> CrashRun:
    """Start the child, kill it at a random moment, ``kills`` times; then run it to the end.

    The moment is drawn between ``min_delay`` and ``max_delay`` seconds after the start
    (the child needs about 0.4 s to import before it writes anything).
    """
    rng = random.Random(seed)
    run = CrashRun()
    start = time.monotonic()
    while run.kills < kills:
        process = subprocess.Popen(
            child_command(db, log, server.url, child=child),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        run.runs += 1
        try:
            _, errors = process.communicate(timeout=rng.uniform(min_delay, max_delay))
            run.finished_early += 1
            if process.returncode != 0:
                raise AssertionError(f"the child failed ({process.returncode}): {errors[-800:]!r}")
            if run.finished_early > kills:
                break  # the log is too short to be interrupted this often
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.communicate()
            run.kills += 1

    final = subprocess.run(
        child_command(db, log, server.url, final=True), cwd=ROOT, timeout=300, check=False
    )
    run.runs += 1
    if final.returncode != 0:
        raise AssertionError(f"the final run failed with exit code {final.returncode}")
    run.seconds = round(time.monotonic() - start, 1)
    return run


def check(db: Path, log: Path, server: HookServer) -> dict[str, int]:
    """Assert the crash test's promises; return what was checked, counted."""
    import engine
    from engine.runtime import Engine
    from engine.store.base import APPLIED, DELIVERED, DROPPED, REFUSED

    lifecycle = engine.load(ORDER_DEFINITION)
    eng = Engine(lifecycle, store=f"sqlite:///{db}", settings=SETTINGS)
    lines = read_log(log)
    order_ids = list(dict.fromkeys(line["order_id"] for line in lines))
    journals = {order_id: eng.history(order_id) for order_id in order_ids}

    # Every line applied (or refused) exactly once, in log order, per order.
    for order_id in order_ids:
        sent = [line["event"] for line in lines if line["order_id"] == order_id]
        outside = [
            e.event
            for e in journals[order_id]
            if e.kind in (APPLIED, REFUSED) and not (e.actor or "").startswith("hook:")
        ]
        assert outside == sent, f"order {order_id!r}: journal {outside} for log {sent}"

    # The journal is contiguous and each order's applied entries replay to its state.
    seqs = sorted(e.seq for entries in journals.values() for e in entries)
    assert seqs == list(range(1, len(seqs) + 1)), "the journal has gaps or repeats"
    for order_id in order_ids:
        assert replay(lifecycle, journals[order_id]) == eng.get(order_id).state, order_id

    # Hook calls: one per committed entry into a state with hooks, each delivered at least
    # once (or dropped, journaled), and no request for anything that did not commit.
    calls = {c.idempotency_key: c for c in eng.store.calls()}
    expected = {
        f"{order_id}:{ref.hook}:{entry.seq}"
        for order_id in order_ids
        for entry in journals[order_id]
        if entry.kind == APPLIED
        for ref in lifecycle.states[entry.target].hooks
    }
    assert set(calls) == expected, "outbox calls differ from the committed transitions' hooks"
    received = set(server.keys())
    for key, call in calls.items():
        assert call.status in (DELIVERED, DROPPED), f"call {key} ended {call.status!r}"
        if call.status == DELIVERED:
            assert key in received, f"call {key} is marked delivered but never arrived"
    unknown = received - set(calls)
    assert not unknown, f"requests for hook calls that never committed: {sorted(unknown)[:5]}"
    eng.close()
    return {
        "lines": len(lines),
        "orders": len(order_ids),
        "journal_entries": len(seqs),
        "hook_calls": len(calls),
        "requests": len(server.received),
        "redelivered": len(server.received) - len(received),
    }


def replay(lifecycle: Any, entries: list[Any]) -> str | None:
    """Run the applied entries through the lifecycle's transitions; return the end state."""
    state: str | None = None
    for entry in entries:
        if entry.kind != "applied":
            continue
        assert entry.source == state, (
            f"entry {entry.seq} starts in {entry.source!r}, not {state!r}"
        )
        possible = {
            t.target
            for t in lifecycle.transitions
            if t.event == entry.event and (state in t.sources or (state is None and t.creates))
        }
        assert entry.target in possible, f"entry {entry.seq}: no transition to {entry.target!r}"
        state = entry.target
    return state

"""How cost per event and memory grow with the number of orders and the definition's size.

Three parts, each printed as ratios against a baseline measured in the same run:

- orders: a store holding N orders (10k, 100k by default), then the cost per event of new
  orders' events on top of it, and the process's RSS; against raw sqlite3 holding the same
  N orders. Flat means the engine's cost per event and memory do not grow with N.
- states: generated chain definitions of 10 to 5,000 states: the time to load and build
  the machine, and the cost per event; against a python-statemachine class built from the
  same chain.
- replay: a 100,000-event log through the engine API (events/s), against raw sqlite3.

Run: ``python -m benchmarks.scale [--orders 10000 100000 1000000]`` from the repository root.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed

from benchmarks.baselines import SqliteBaseline
from benchmarks.harness import (
    EVENTS_PER_ORDER,
    HAPPY_PATH,
    HOOK_OUTCOMES,
    ORDER_DEFINITION,
    SETTINGS,
    Pair,
    drive_engine,
    drive_raw,
    emit,
    engine_missing,
    open_engine,
    order_data,
    quick,
    quiet_logs,
    rss_mib,
    run_pair,
    send_all,
    timed,
)

SAMPLE_ORDERS = 100  # orders whose six events are timed at each size


# --- orders ---------------------------------------------------------------------------


def held_order(order_id: str) -> dict[str, Any]:
    """An order whose ship method is unmapped: it waits in Error and schedules no hook."""
    return {**order_data(order_id), "ship_method": "UNMAPPED"}


def fill_raw(db: SqliteBaseline, start: int, stop: int) -> None:
    """Add orders ``start`` to ``stop`` in Error, in one transaction (setup, not timed)."""
    rows = [
        (f"f{n}", "error", 1, json.dumps(held_order(f"f{n}"), separators=(",", ":")))
        for n in range(start, stop)
    ]
    with db.db:
        db.db.execute("BEGIN")
        db.db.executemany(
            "INSERT INTO orders (id, state, version, data) VALUES (?, ?, ?, ?)", rows
        )


def fill_engine(db: Path, start: int, stop: int) -> None:
    """Add orders through the API (the engine's own path is the only honest way in).

    Filling is setup, not measured, so it commits without waiting for the disk.
    """
    filler = open_engine(db, durable=False)
    send_all(filler, ((f"f{n}", "download", held_order(f"f{n}")) for n in range(start, stop)))
    filler.close()


def orders_part(folder: Path, sizes: list[int], repeats: int, with_engine: bool) -> list[dict]:
    raw = SqliteBaseline(folder / "scale-raw.db", SETTINGS)
    engine_db = folder / "scale-engine.db"
    eng = None
    rows = []
    filled = 0
    for size in sizes:
        fill_raw(raw, filled, size)
        if with_engine:
            if eng is not None:
                eng.close()
            fill_engine(engine_db, filled, size)
            eng = open_engine(engine_db)
        filled = size
        rows.append(measure_size(eng, raw, size, repeats))
    raw.close()
    return rows


def measure_size(eng: Any, raw: SqliteBaseline, size: int, repeats: int) -> dict[str, Any]:
    """Time new orders' events on top of ``size`` stored orders; fresh ids on every run."""
    batch = [0]

    def raw_run() -> float:
        batch[0] += 1
        return timed(lambda: drive_raw(raw, SAMPLE_ORDERS, prefix=f"r{size}-{batch[0]}-"))

    def engine_run() -> float:
        batch[0] += 1
        return timed(lambda: drive_engine(eng, SAMPLE_ORDERS, prefix=f"e{size}-{batch[0]}-"))

    if eng is None:
        pair = Pair(f"{size} orders", "raw sqlite3", "raw sqlite3", "µs/event")
        pair.engine_runs = pair.baseline_runs = [raw_run() for _ in range(repeats)]
    else:
        name = f"{size:,} orders stored: cost per event"
        pair = run_pair(
            Pair(name, "engine", "raw sqlite3", "µs/event"), engine_run, raw_run, repeats
        )
    # The process holds both sides; the baseline keeps no per-order memory of its own.
    row = {**pair.as_dict(), "orders": size, "rss_mib": round(rss_mib(), 1)}
    print(pair.line() + f"; RSS {row['rss_mib']} MiB")
    return row


# --- states ---------------------------------------------------------------------------


def chain_yaml(states: int) -> str:
    """A lifecycle of ``states`` states in a chain: ``start`` creates, ``advance`` moves on."""
    lines = ["lifecycle: chain", "version: 1", "description: A generated chain.", "states:"]
    for n in range(states):
        lines += [f"  s{n}:", f"    label: Step {n}", f"    api_value: s{n}"]
        if n == states - 1:
            lines.append("    final: true")
    lines += ["events:", "  start: {description: Create.}", "  advance: {description: Next.}"]
    lines += ["transitions:", "  - {event: start, target: s0}"]
    lines += [f"  - {{event: advance, source: s{n}, target: s{n + 1}}}" for n in range(states - 1)]
    return "\n".join(lines) + "\n"


def chain_machine(states: int) -> type[StateMachine]:
    """The same chain as a python-statemachine class, built the way a user would generate it."""
    attrs: dict[str, Any] = {"validate_final_reachability": False, "validate_trap_states": False}
    chain = [
        State(initial=(n == 0), final=(n == states - 1), value=f"s{n}") for n in range(states)
    ]
    for n, state in enumerate(chain):
        attrs[f"s{n}"] = state
    advance = chain[0].to(chain[1])
    for n in range(1, states - 1):
        advance = advance | chain[n].to(chain[n + 1])
    attrs["advance"] = advance
    return type(f"Chain{states}", (StateMachine,), attrs)


def load_and_build(text: str, built: list[Any]) -> int:
    """Load, check and build the machine class; keep the result; count one build."""
    import engine

    lifecycle = engine.load(text)
    lifecycle.machine_class  # noqa: B018 - building it is what is timed
    built.append(lifecycle)
    return 1


def states_part(folder: Path, sizes: list[int], repeats: int, with_engine: bool) -> list[dict]:
    rows = []
    for size in sizes:
        rows.append(one_chain(folder, size, repeats, with_engine))
    return rows


def one_chain(folder: Path, size: int, repeats: int, with_engine: bool) -> dict[str, Any]:

    text = chain_yaml(size)
    positions = [f"s{n % (size - 1)}" for n in range(600)]
    machine = chain_machine(size)()

    def psm_build() -> float:
        return timed(lambda: chain_machine(size) and 1) / 1000  # ms per build

    builds = [0]
    built: list[Any] = []

    def engine_build() -> float:
        # A new comment changes the digest, so the machine class cache cannot answer.
        builds[0] += 1
        fresh = f"# build {builds[0]}\n{text}"
        return timed(lambda: load_and_build(fresh, built)) / 1000

    def psm_event() -> float:
        def work() -> int:
            for value in positions:
                machine.current_state_value = value
                with contextlib.suppress(TransitionNotAllowed):
                    machine.send("advance")
            return len(positions)

        return timed(work)

    row: dict[str, Any] = {"states": size}
    if not with_engine:
        row.update(psm_build_ms=psm_build(), psm_event_us=psm_event())
        print(f"{size} states: statemachine build {row['psm_build_ms']:.3g} ms, "
              f"send {row['psm_event_us']:.3g} µs/event")  # fmt: skip
        return row

    # Loading thousands of states takes seconds: one build is enough to see the trend.
    build = run_pair(
        Pair(f"{size} states: build", "engine", "statemachine", "ms"),
        engine_build,
        psm_build,
        repeats if size <= 1000 else 1,
    )
    # An in-memory store: this part asks how the definition's size changes the cost of an
    # event, and the disk's flush (the same for every size) would only add noise.
    # The last build's lifecycle: loading 5,000 states again would cost seconds.
    eng = open_engine(":memory:", built[-1], settings={}, adapters={})
    batches = [0]

    def engine_event() -> float:
        # Fresh orders each repetition: orders left at the chain's end by an earlier one
        # would only be refused, which is cheaper than the baseline's applied events.
        batches[0] += 1
        orders = [f"c{batches[0]}-{n}" for n in range(60)]
        for order_id in orders:
            eng.create(order_id, {})
        events = [(orders[n % 60], "advance", {}) for n in range(600)]
        return timed(lambda: send_all(eng, events))

    event = run_pair(
        Pair(f"{size} states: event, in-memory store", "engine", "statemachine", "µs/event"),
        engine_event,
        psm_event,
        repeats,
    )
    row.update(build=build.as_dict(), event=event.as_dict())
    print(build.line())
    print(event.line())
    return row


# --- replay ---------------------------------------------------------------------------


def replay_part(folder: Path, events: int, baseline_events: int, with_engine: bool) -> dict:
    """The log through the API (and ``lifecycle run``); a shorter one through raw sqlite3.

    The baseline's rate does not depend on the log's length (its cost per event is flat,
    see the orders part), so a third of the log is enough for it and keeps the whole run
    under ten minutes.
    """
    orders = events // EVENTS_PER_ORDER

    raw = SqliteBaseline(folder / "replay-raw.db", SETTINGS)
    start = time.perf_counter()
    count = drive_raw(raw, baseline_events // EVENTS_PER_ORDER, prefix="p")
    raw_seconds_per_event = (time.perf_counter() - start) / count
    raw.close()
    result: dict[str, Any] = {
        "baseline_events": count,
        "raw_events_per_s": round(1 / raw_seconds_per_event),
    }

    if with_engine:
        eng = open_engine(folder / "replay-engine.db")
        start = time.perf_counter()
        count = drive_engine(eng, orders, prefix="p")
        seconds = time.perf_counter() - start
        result["engine_events"] = count
        result["engine_events_per_s"] = round(count / seconds)
        # Engine time / baseline time per event, like every other ratio.
        result["ratio"] = round(seconds / count / raw_seconds_per_event, 3)
        result.update(replay_cli(folder, orders))
    print(f"replay: {result}")
    return result


def replay_cli(folder: Path, orders: int) -> dict[str, Any]:
    """``lifecycle run`` on the same mix as an event log, with the simulated WMS and cart.

    The log holds the outside events (four per order); the two hook outcomes per order
    come from dispatching, so the engine applies six events per order, as above.
    """
    log, settings = folder / "replay.jsonl", folder / "settings.json"
    settings.write_text(json.dumps(SETTINGS), encoding="utf-8")
    with log.open("w", encoding="utf-8") as handle:
        for event, data in HAPPY_PATH:
            if event in HOOK_OUTCOMES:
                continue
            for n in range(orders):
                order_id = f"q{n}"
                payload = order_data(order_id) if event == "download" else data or {}
                line = {"order_id": order_id, "event": event, "data": payload}
                handle.write(json.dumps(line) + "\n")

    argv = [sys.executable, "-m", "engine", "run", str(ORDER_DEFINITION), str(log),
            "--db", str(folder / "replay-cli.db"), "--settings", str(settings)]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        return {"cli_error": done.stderr[-500:]}
    events = orders * EVENTS_PER_ORDER
    return {
        "cli_log_lines": orders * (EVENTS_PER_ORDER - len(HOOK_OUTCOMES)),
        "cli_events_per_s": round(events / seconds),
        "cli_exit_code": done.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    small = quick()
    parser.add_argument("--orders", type=int, nargs="+",
                        default=[1000, 5000] if small else [10_000, 100_000])  # fmt: skip
    parser.add_argument("--states", type=int, nargs="+",
                        default=[10, 100] if small else [10, 100, 1000, 5000])  # fmt: skip
    parser.add_argument("--replay", type=int, default=6000 if small else 100_002)
    parser.add_argument("--replay-baseline", type=int, default=3000 if small else 30_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--parts", nargs="+", default=["orders", "states", "replay"])
    args = parser.parse_args()

    quiet_logs()
    missing = engine_missing()
    results: dict[str, Any] = {"skipped": missing}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if "orders" in args.parts:
            # Cheap per run and noisy on a shared disk: more repetitions.
            repeats = args.repeats + 2
            results["orders"] = orders_part(folder, args.orders, repeats, missing is None)
        if "states" in args.parts:
            results["states"] = states_part(folder, args.states, args.repeats, missing is None)
        if "replay" in args.parts:
            results["replay"] = replay_part(
                folder, args.replay, args.replay_baseline, missing is None
            )
    if missing:
        print(f"engine figures skipped: {missing}")
    emit("scale", results)


if __name__ == "__main__":
    main()

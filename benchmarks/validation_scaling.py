"""How validation time grows with the size of a definition.

Generates lifecycles of 100 to 5000 states (a chain with branches, cancels and hooks),
checks each several times as `lifecycle validate` does (reading, schema, semantic checks,
guard compiling and a fresh build of the machine class, from the text) and
prints the median time, the time per state, and both as ratios to the smallest size.
Growth is at most linear when the time per state at the largest size is no more than
1.5 times that at the smallest.

Run from the repository root: ``python -m benchmarks.validation_scaling``
(``BENCH_QUICK=1`` for small sizes).
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import time
from collections.abc import Callable

from engine.definition.build import build_definition
from engine.definition.checks import semantic_problems
from engine.definition.loader import check_definition
from engine.definition.schema import schema_problems
from engine.definition.yamlread import read_yaml
from engine.lifecycle import Lifecycle
from engine.machine import build_machine_class

SIZES = (100, 500, 1000, 2000, 5000)
QUICK_SIZES = (100, 200, 400)
RUNS = 5
LINEAR_LIMIT = 1.5


def generate(states: int) -> str:
    """A valid lifecycle of ``states`` states: s0 -> s1 -> ... with branches every tenth."""
    lines = [
        "lifecycle: generated",
        "version: 1",
        "settings:",
        "  fast: {type: boolean, default: false}",
        "channels:",
        "  wms: {description: The warehouse.}",
        "events:",
        "  create: {}",
        "  advance: {}",
        "  divert: {}",
        "  cancel: {}",
        "  done: {internal: true}",
        "guards:",
        "  fast_lane: {expression: settings.fast && has(order.id)}",
        "hooks:",
        "  notify: {channel: wms, action: notify, retry: {attempts: 5, interval: 1m}, "
        "on_success: done}",
        "states:",
    ]
    last = states - 2
    for index in range(states - 1):
        extra = ", hooks: [notify]" if index % 50 == 0 else ""
        end = ", end: true" if index == last else ""
        lines.append(f"  s{index}: {{label: Step {index}, api_value: v{index % 7}{extra}{end}}}")
    lines.append("  canceled: {label: Canceled, api_value: canceled, final: true}")

    lines += ["transitions:", "  - {event: create, target: s0}"]
    for index in range(last):
        lines.append(f"  - {{event: advance, source: s{index}, target: s{index + 1}}}")
        if index % 10 == 0 and index + 5 <= last:
            lines.append(
                f"  - {{event: divert, source: s{index}, target: s{index + 5}, guard: fast_lane}}"
            )
    cancellable = ", ".join(f"s{i}" for i in range(0, last, 3))
    lines.append(f"  - {{event: cancel, source: [{cancellable}], target: canceled}}")
    lines += ["filters:", "  early: [v0, v1, v2]"]
    return "\n".join(lines) + "\n"


def median_time(action: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def stages(text: str) -> dict[str, float]:
    """Median seconds of each stage, for seeing where the time goes."""
    document = read_yaml(text)
    definition = build_definition(document.data)
    return {
        "yaml": median_time(lambda: read_yaml(text), 3),
        "schema": median_time(lambda: schema_problems(document), 3),
        "checks": median_time(lambda: semantic_problems(definition, document), 3),
    }


def validate(text: str) -> None:
    """What ``lifecycle validate`` does: every check, then a fresh build of the machine class."""
    definition, problems = check_definition(text)
    if definition is None or problems:
        raise SystemExit(f"the generated definition has problems: {problems}")
    build_machine_class(Lifecycle(definition), cached=False)


def main() -> None:
    sizes = QUICK_SIZES if os.environ.get("BENCH_QUICK") == "1" else SIZES
    texts = {size: generate(size) for size in sizes}
    for size, text in texts.items():
        definition, problems = check_definition(text)
        if problems or definition is None:
            raise SystemExit(f"the generated definition of {size} states has problems: {problems}")

    # Rounds interleave the sizes, so that a busy moment on a shared machine slows every
    # size alike instead of one; a full collection first keeps earlier garbage out.
    times: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(RUNS):
        for size, text in texts.items():
            gc.collect()
            times[size].append(median_time(lambda text=text: validate(text), 1))
    rows = []
    for size in sizes:
        seconds = statistics.median(times[size])
        rows.append({"states": size, "seconds": seconds, "per_state_us": seconds / size * 1e6})

    base = rows[0]
    print(f"validation time by definition size (median of {RUNS} runs)")
    header = ("states", "median s", "µs/state", "time ratio", "per-state ratio")
    print("{:>7} {:>10} {:>10} {:>11} {:>16}".format(*header))
    for row in rows:
        row["ratio"] = row["seconds"] / base["seconds"]
        row["per_state_ratio"] = row["per_state_us"] / base["per_state_us"]
        print(
            f"{row['states']:>7} {row['seconds']:>10.4f} {row['per_state_us']:>10.1f} "
            f"{row['ratio']:>10.1f}x {row['per_state_ratio']:>15.2f}x"
        )

    largest = rows[-1]
    linear = largest["per_state_ratio"] <= LINEAR_LIMIT
    verdict = "at most linear" if linear else "faster than linear"
    print(
        f"growth: {verdict} (per-state time at {largest['states']} states is "
        f"{largest['per_state_ratio']:.2f}x that at {base['states']}; limit {LINEAR_LIMIT}x)"
    )
    split = stages(generate(largest["states"]))
    print("stages at the largest size: " + ", ".join(f"{k} {v:.4f} s" for k, v in split.items()))
    print("RESULT " + json.dumps({"validation_scaling": rows, "linear": linear, "stages": split}))


if __name__ == "__main__":
    main()

"""Run every benchmark, then write ``benchmarks/results.json`` and ``benchmarks/results.md``.

Run from the repository root::

    python -m benchmarks.run_all            # the full run (under ten minutes on 2 cores)
    BENCH_QUICK=1 python -m benchmarks.run_all   # small sizes, a smoke run
    python -m benchmarks.run_all --markdown-only # rewrite results.md from results.json

Each benchmark runs in its own process (so that one's memory does not count against
another's) and prints its figures; lines starting with ``RESULT`` carry them as JSON.
A benchmark that prints no such line is kept as its text output.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# In the order they run. Missing scripts (written elsewhere, maybe not yet) are noted.
BENCHMARKS = ("compare", "engine_overhead", "scale", "concurrency", "validation_scaling")


def run_one(name: str) -> dict[str, Any]:
    script = HERE / f"{name}.py"
    if not script.is_file():
        return {"name": name, "status": "missing"}

    print(f"== {name}", flush=True)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = round(time.perf_counter() - start, 1)
    results = [json.loads(line[7:]) for line in proc.stdout.splitlines() if line[:7] == "RESULT "]
    text = "\n".join(line for line in proc.stdout.splitlines() if not line.startswith("RESULT "))
    print(text, flush=True)
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr, flush=True)
    return {
        "name": name,
        "status": "ok" if proc.returncode == 0 else f"failed ({proc.returncode})",
        "seconds": seconds,
        "results": results,
        "output": text,
        "errors": proc.stderr[-2000:] if proc.returncode else "",
    }


def pair_rows(pairs: list[dict[str, Any]]) -> list[str]:
    rows = []
    for pair in pairs:
        target = f"≤ {pair['target']}x" if pair.get("target") else ""
        rows.append(
            f"| {pair['name']} | {pair['engine_median']:.3g} {pair['unit']} "
            f"| {pair['baseline']}: {pair['baseline_median']:.3g} {pair['unit']} "
            f"| {pair['ratio']:.2f}x | {target} |"
        )
    return rows


def collect_pairs(value: Any) -> list[dict[str, Any]]:
    """Every pair (a dict with a ratio and medians) anywhere inside a result."""
    if isinstance(value, dict):
        if {"ratio", "engine_median", "baseline_median"} <= value.keys():
            return [value]
        return [p for item in value.values() for p in collect_pairs(item)]
    if isinstance(value, list):
        return [p for item in value for p in collect_pairs(item)]
    return []


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Measured {report['when']} on {report['machine']} with Python {report['python']}; "
        f"the whole run took {report['seconds']} s. Reproduce with "
        "`python -m benchmarks.run_all`.",
        "",
        "Every ratio is engine / baseline: the medians of interleaved runs in the same process.",
        "",
        "| pair | measured | baseline | ratio | target |",
        "| --- | --- | --- | --- | --- |",
    ]
    for bench in report["benchmarks"]:
        for result in bench.get("results", []):
            lines += pair_rows(collect_pairs(result))

    lines += ["", "## Each benchmark's output", ""]
    for bench in report["benchmarks"]:
        status = "" if bench["status"] == "ok" else f" ({bench['status']})"
        lines += [f"### {bench['name']}{status}", ""]
        if bench.get("output"):
            lines += ["```text", bench["output"].strip(), "```", ""]
    return "\n".join(lines) + "\n"


def main() -> int:
    if sys.argv[1:] == ["--markdown-only"]:
        # Rewrite the table from the last results, without measuring again.
        report = json.loads((HERE / "results.json").read_text(encoding="utf-8"))
        (HERE / "results.md").write_text(markdown(report), encoding="utf-8")
        return 0

    start = time.perf_counter()
    benchmarks = [run_one(name) for name in BENCHMARKS]
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "quick": os.environ.get("BENCH_QUICK") == "1",
        "seconds": round(time.perf_counter() - start, 1),
        "benchmarks": benchmarks,
    }
    (HERE / "results.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (HERE / "results.md").write_text(markdown(report), encoding="utf-8")
    print(f"wrote benchmarks/results.json and benchmarks/results.md in {report['seconds']} s")
    return 0 if all(b["status"] in ("ok", "missing") for b in benchmarks) else 1


if __name__ == "__main__":
    raise SystemExit(main())

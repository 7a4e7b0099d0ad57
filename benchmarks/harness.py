"""What every benchmark shares: the event mix, interleaved pairs, medians and ratios.

A figure is never an absolute time alone. Each engine measurement is paired with a
baseline doing the same work, the two are run alternately (so that a busy moment on the
machine hurts both), several times, and the ratio of the medians is reported.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ORDER_DEFINITION = ROOT / "definitions" / "order.yaml"

SETTINGS: dict[str, Any] = {
    "ship_method_map": {"UPS_GROUND": {"carrier": "UPS", "method": "Ground"}},
    "send_cancellations_to_cart": False,
    "accept_blank_tracking": False,
    "wms_supports_cancel": True,
}

ADDRESS = {"name": "Ada Lovelace", "address1": "1 Main St", "city": "Springfield",
           "country": "US"}  # fmt: skip
PACKAGE = {"carrier": "UPS", "method": "Ground", "tracking": "1Z999"}

# One order's events: the happy path plus two refusals, as (event, data).
# ``resume_sending`` in New is not allowed; ``ship`` without packages fails a guard.
# ``wms_accepted`` and ``cart_confirmed`` are hook outcomes: through the engine they come
# from delivering the outbox, not from the caller.
HAPPY_PATH: tuple[tuple[str, dict[str, Any] | None], ...] = (
    ("download", None),
    ("resume_sending", None),
    ("wms_accepted", None),
    ("ship", {"packages": []}),
    ("ship", {"packages": [PACKAGE]}),
    ("cart_confirmed", None),
)
HOOK_OUTCOMES = frozenset({"wms_accepted", "cart_confirmed"})
EVENTS_PER_ORDER = len(HAPPY_PATH)
REFUSALS_PER_ORDER = 2


def order_data(order_id: str) -> dict[str, Any]:
    """A canonical order whose ship method is mapped and whose address is complete."""
    return {
        "id": order_id,
        "source": "shopify",
        "ship_method": "UPS_GROUND",
        "ship_to": dict(ADDRESS),
        "lines": [{"sku": "SKU-1", "quantity": 1}],
    }


def event_mix(orders: int, prefix: str = "o") -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield ``(order_id, event, data)`` for ``orders`` orders, order by order."""
    for n in range(orders):
        order_id = f"{prefix}{n}"
        for event, data in HAPPY_PATH:
            yield order_id, event, order_data(order_id) if event == "download" else data or {}


@dataclass
class Pair:
    """One engine figure against one baseline, with the medians of interleaved runs."""

    name: str
    engine: str
    baseline: str
    unit: str
    engine_runs: list[float] = field(default_factory=list)
    baseline_runs: list[float] = field(default_factory=list)
    target: float | None = None
    note: str = ""

    @property
    def engine_median(self) -> float:
        return statistics.median(self.engine_runs)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline_runs)

    @property
    def ratio(self) -> float:
        return self.engine_median / self.baseline_median

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            engine_median=self.engine_median,
            baseline_median=self.baseline_median,
            ratio=round(self.ratio, 3),
        )
        return data

    def line(self) -> str:
        target = f" (target <= {self.target}x)" if self.target else ""
        return (
            f"{self.name}: {self.engine} {self.engine_median:.3g} {self.unit}, "
            f"{self.baseline} {self.baseline_median:.3g} {self.unit}, "
            f"ratio {self.ratio:.2f}x{target}"
        )


def timed(work: Callable[[], int]) -> float:
    """Run ``work`` (which returns how many events it handled); return µs per event.

    The garbage collector is off while timing so that one side does not pay for the
    other's garbage.
    """
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        count = work()
        elapsed = time.perf_counter() - start
    finally:
        gc.enable()
    return elapsed / max(count, 1) * 1e6


def run_pair(
    pair: Pair,
    engine: Callable[[], float],
    baseline: Callable[[], float],
    repeats: int,
) -> Pair:
    """Alternate ``engine`` and ``baseline`` ``repeats`` times, starting with each in turn."""
    for n in range(repeats):
        first, second = (engine, baseline) if n % 2 == 0 else (baseline, engine)
        a, b = first(), second()
        engine_value, baseline_value = (a, b) if n % 2 == 0 else (b, a)
        pair.engine_runs.append(engine_value)
        pair.baseline_runs.append(baseline_value)
    return pair


def rss_mib() -> float:
    """The process's resident set size now, in MiB (from /proc; peak where it is missing)."""
    try:
        with open(f"/proc/{os.getpid()}/statm") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quick() -> bool:
    """Smaller sizes when ``BENCH_QUICK=1`` (a smoke run of every script)."""
    return os.environ.get("BENCH_QUICK") == "1"


def emit(section: str, payload: dict[str, Any]) -> None:
    """Print one benchmark's results as a JSON line that run_all collects."""
    print("RESULT " + json.dumps({"section": section, **payload}, default=str), flush=True)


class Accept:
    """A hook adapter that takes every call at once: hooks cost only their bookkeeping."""

    def __init__(self) -> None:
        self.calls = 0

    def deliver(self, call: Any) -> Any:
        from engine.hooks.adapter import HookOutcome

        self.calls += 1
        return HookOutcome.success()


def engine_missing() -> str | None:
    """Why the Engine cannot be measured here, or None when it can."""
    try:
        import engine
        from engine.runtime import Engine  # noqa: F401

        engine.load(ORDER_DEFINITION).machine_class  # noqa: B018
    except (ImportError, NotImplementedError) as exc:
        return f"the engine is not built yet ({exc})"
    except Exception as exc:
        return f"the engine does not load the order lifecycle ({type(exc).__name__}: {exc})"
    return None


def open_engine(db: Path | str, definition: Path | str = ORDER_DEFINITION, **options: Any) -> Any:
    """An Engine on SQLite file ``db`` with accept-everything adapters and ``SETTINGS``."""
    import engine
    from engine.runtime import Engine

    lifecycle = definition if isinstance(definition, engine.Lifecycle) else engine.load(definition)
    options.setdefault("settings", SETTINGS)
    options.setdefault("adapters", {"wms": Accept(), "cart": Accept()})
    return Engine(lifecycle, store=f"sqlite:///{db}", **options)


def send_all(eng: Any, events: Any) -> int:
    """Apply ``(order_id, event, data)`` through the API; refusals count as events."""
    from engine.errors import EventRefused

    count = 0
    for order_id, event, data in events:
        try:
            if event == "download":
                eng.create(order_id, data)
            else:
                eng.send(order_id, event, data)
        except EventRefused:
            pass
        count += 1
    return count


def drive_engine(eng: Any, orders: int, prefix: str = "o") -> int:
    """The event mix for ``orders`` orders, step by step; hook outcomes come from dispatch."""
    count = 0
    for event, data in HAPPY_PATH:
        if event in HOOK_OUTCOMES:
            count += eng.dispatch().delivered
            continue
        count += send_all(eng, _step_events(orders, prefix, event, data))
    return count


def drive_raw(db: Any, orders: int, prefix: str = "o") -> int:
    """The same mix through the raw sqlite3 baseline."""
    count = 0
    for event, data in HAPPY_PATH:
        if event in HOOK_OUTCOMES:
            count += db.deliver_due()
            continue
        for order_id, name, payload in _step_events(orders, prefix, event, data):
            db.apply(order_id, name, payload)
            count += 1
    return count


def _step_events(
    orders: int, prefix: str, event: str, data: dict[str, Any] | None
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for n in range(orders):
        order_id = f"{prefix}{n}"
        yield order_id, event, order_data(order_id) if event == "download" else data or {}


def quiet_logs() -> None:
    """Keep the engine's WARNING lines for refused events off the terminal while timing.

    The baselines log nothing; a service would send these lines to its own handler.
    """
    import logging

    logging.getLogger("engine").setLevel(logging.ERROR)

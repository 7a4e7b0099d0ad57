"""The engine with a misbehaving hook receiver: nothing is lost, retries follow the policy.

Time is a ManualClock the test moves: a retry is due exactly when the definition's
policy (or the receiver's Retry-After) says, and not a second earlier.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import engine
from engine.clock import ManualClock
from engine.hooks.adapters import HttpAdapter
from engine.runtime import Engine
from engine.store.base import DELIVERED, EXHAUSTED, HOOK_DELIVERED, HOOK_RETRY
from tests.faults.crashkit import ORDER_DEFINITION, SETTINGS, order
from tests.faults.hookserver import HookServer, free_port

HOUR = 3600.0
# The order lifecycle with a shorter WMS policy that backs off, for the schedule tests.
BACKOFF = ORDER_DEFINITION.read_text().replace(
    "retry: {attempts: 360, interval: 1h, give_up_after: 15d}",
    "retry: {attempts: 5, interval: 10m, backoff: 2, max_interval: 30m}",
)


@contextmanager
def open_engine(
    db: Path, url: str, clock: ManualClock, text: str | None = None
) -> Iterator[Engine]:
    """An engine whose HTTP adapters point at ``url``; closed with its adapters."""
    adapters = {
        "wms": HttpAdapter(f"{url}/wms", "wms", secret="k", timeout=0.3),
        "cart": HttpAdapter(f"{url}/cart", "cart", secret="k", timeout=0.3),
    }
    lifecycle = engine.load(text if text is not None else ORDER_DEFINITION)
    try:
        with Engine(
            lifecycle, f"sqlite:///{db}", adapters=adapters, settings=SETTINGS, clock=clock
        ) as running:
            yield running
    finally:
        for adapter in adapters.values():
            adapter.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def eng(tmp_path: Path, hook_server: HookServer, clock: ManualClock) -> Iterator[Engine]:
    with open_engine(tmp_path / "hooks.db", hook_server.url, clock) as running:
        running.create("o1", order("o1", mapped=True))
        yield running


def kinds(eng: Engine) -> list[str]:
    return [e.kind for e in eng.history("o1") if e.kind.startswith("hook_")]


@pytest.mark.parametrize("behaviour", ["500", "close", "slow"])
def test_a_failed_attempt_is_retried_after_the_interval(
    eng: Engine, hook_server: HookServer, clock: ManualClock, behaviour: str
) -> None:
    hook_server.slow_seconds = 1.0
    hook_server.plan(behaviour)

    assert eng.dispatch().retrying == 1
    assert eng.dispatch().total == 0  # not due yet
    clock.advance(HOUR - 1)
    assert eng.dispatch().total == 0
    clock.advance(1)
    assert eng.dispatch().delivered == 1

    assert eng.get("o1").state == "at_wms"
    assert kinds(eng) == [HOOK_RETRY, HOOK_DELIVERED]
    assert len(set(hook_server.keys())) == 1 and len(hook_server.keys()) == 2


def test_retry_after_wins_over_a_shorter_interval(
    eng: Engine, hook_server: HookServer, clock: ManualClock
) -> None:
    hook_server.retry_after = 3 * int(HOUR)
    hook_server.plan("429")

    eng.dispatch()
    clock.advance(3 * HOUR - 1)
    assert eng.dispatch().total == 0
    clock.advance(1)

    assert eng.dispatch().delivered == 1
    assert eng.get("o1").state == "at_wms"


def test_garbage_in_a_2xx_answer_still_counts_as_delivered(
    eng: Engine, hook_server: HookServer
) -> None:
    hook_server.plan("garbage")

    assert eng.dispatch().delivered == 1
    assert eng.get("o1").state == "at_wms"


def test_a_4xx_is_a_permanent_failure_that_fires_its_event(
    eng: Engine, hook_server: HookServer
) -> None:
    hook_server.plan("400")

    assert eng.dispatch().failed == 1
    assert eng.get("o1").state == "error"
    assert len(hook_server.received) == 1


def test_a_refusing_receiver_loses_nothing_across_a_restart(
    tmp_path: Path, hook_server: HookServer, clock: ManualClock
) -> None:
    db = tmp_path / "restart.db"
    with open_engine(db, f"http://127.0.0.1:{free_port()}", clock) as down:
        down.create("o1", order("o1", mapped=True))
        assert down.dispatch().retrying == 1

    clock.advance(HOUR)
    with open_engine(db, hook_server.url, clock) as up:
        assert up.dispatch().delivered == 1
        assert up.get("o1").state == "at_wms"
        assert [c.status for c in up.store.calls("o1")] == [DELIVERED]


def test_the_schedule_follows_backoff_and_its_cap(
    tmp_path: Path, hook_server: HookServer, clock: ManualClock
) -> None:
    hook_server.plan(*["500"] * 5)
    waits = []
    with open_engine(tmp_path / "backoff.db", hook_server.url, clock, BACKOFF) as eng:
        eng.create("o1", order("o1", mapped=True))
        start = clock.now()
        while eng.dispatch().retrying:
            (call,) = eng.pending_calls("o1")
            waits.append(call.next_due - clock.now())
            clock.move_to(call.next_due)

        # 10m, then doubled each time, never above 30m; the fifth failure exhausts it.
        assert waits == [600.0, 1200.0, 1800.0, 1800.0]
        assert eng.store.calls("o1")[0].status == EXHAUSTED
        assert eng.get("o1").state == "error"  # on_exhausted: wms_send_expired
        assert clock.now() - start == sum(waits)
    assert len(hook_server.received) == 5


@pytest.mark.slow
def test_the_order_policy_gives_up_after_360_hourly_attempts(
    eng: Engine, hook_server: HookServer, clock: ManualClock
) -> None:
    hook_server.plan(*["500"] * 400)

    attempts = 0
    while eng.get("o1").state == "new":
        attempts += eng.dispatch().total
        clock.advance(HOUR)

    assert attempts == 360
    assert len(hook_server.received) == 360
    assert eng.get("o1").state == "error"

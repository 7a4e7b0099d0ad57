"""The outbox never delivers past its retry policy, and never loses a call to bad data."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import Engine, HookOutcome, load
from engine.clock import ManualClock
from engine.hooks.outbox import Dispatcher
from engine.store.base import HOOK_EXHAUSTED

TWO_TRIES = """
lifecycle: tries
version: 1
channels: {wms: {}}
states:
  waiting: {label: Waiting, hooks: [send]}
  sent: {label: Sent, final: true}
  gave_up: {label: Gave up, final: true}
events:
  start: {}
  accepted: {internal: true, merge: true}
  expired: {internal: true}
hooks:
  send:
    channel: wms
    action: send
    retry: {attempts: 2, interval: 60}
    on_success: accepted
    on_exhausted: expired
transitions:
  - {event: start, target: waiting}
  - {event: accepted, source: waiting, target: sent}
  - {event: expired, source: waiting, target: gave_up}
"""


class Crash(Exception):
    """Stands for the process dying before the outcome is recorded."""


def make(tmp_path: Path, answer) -> tuple[Engine, ManualClock, list]:
    clock = ManualClock()
    calls: list = []

    def deliver(call):
        calls.append(call)
        return answer(call)

    engine = Engine(
        load(TWO_TRIES), store=tmp_path / "tries.db", adapters={"wms": deliver}, clock=clock
    )
    return engine, clock, calls


def test_a_call_whose_outcome_is_never_recorded_is_given_up_after_its_tries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, clock, calls = make(tmp_path, lambda call: HookOutcome.success())
    engine.create("T-1", {})

    def crash(self, *args, **kwargs):
        raise Crash("died after delivery")

    monkeypatch.setattr(Dispatcher, "_record", crash)
    for _ in range(2):
        with pytest.raises(Crash):
            engine.dispatch()
        clock.advance(engine.lease)

    # Both tries were delivered; the third claim gives up instead of delivering again.
    counts = engine.dispatch()

    assert len(calls) == 2
    assert counts.exhausted == 1
    assert engine.get("T-1").state == "gave_up"
    assert engine.pending_calls("T-1") == []
    assert HOOK_EXHAUSTED in [entry.kind for entry in engine.history("T-1")]
    engine.close()


@pytest.mark.parametrize(
    "data", [{"bad": {1, 2}}, {"x": float("nan")}, {1: "x"}], ids=["set", "nan", "int-key"]
)
def test_unusable_outcome_data_is_left_out_and_the_call_is_not_delivered_again(
    tmp_path: Path, data: dict
) -> None:
    engine, clock, calls = make(tmp_path, lambda call: HookOutcome("success", data))
    engine.create("T-2", {})

    counts = engine.dispatch()
    clock.advance(engine.lease * 10)
    engine.dispatch()

    assert counts.delivered == 1
    assert len(calls) == 1
    assert engine.get("T-2").state == "sent"
    assert engine.get("T-2").data == {}
    engine.close()


def test_retries_end_at_the_policy_s_attempts(tmp_path: Path) -> None:
    engine, clock, calls = make(tmp_path, lambda call: HookOutcome.retry("busy"))
    engine.create("T-3", {})

    engine.dispatch()
    clock.advance(60)
    engine.dispatch()

    assert len(calls) == 2
    assert engine.get("T-3").state == "gave_up"
    assert engine.pending_calls("T-3") == []
    engine.close()

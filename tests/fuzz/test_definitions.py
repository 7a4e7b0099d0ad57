"""Random valid definitions with random event sequences, through the real Engine.

After every event: the order is in a defined state, its journal replays to that state,
and ``allowed_events`` does not lie: an allowed event, sent with data its guards accept,
is applied; an event the state does not allow is refused; a refusal changes nothing but
the journal, which gains one explained entry.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine.errors import EventRefused
from engine.runtime import Engine
from engine.store.base import APPLIED, REFUSED
from tests.faults.crashkit import replay

# A guard reads the event's data: ``go`` true lets it pass, false or missing refuses.
GUARD = "has(event.go) && event.go"


@dataclass(frozen=True)
class Spec:
    states: int
    events: int
    # (event, sources, target, guarded)
    transitions: tuple[tuple[int, tuple[int, ...], int, bool], ...]
    start: int

    def yaml(self) -> str:
        lines = ["lifecycle: fuzz", "version: 1", "description: Generated.", "states:"]
        leaving = {s for _, sources, _, _ in self.transitions for s in sources}
        for n in range(self.states):
            # Every state may end the normal path; one that nothing leaves is final.
            kind = "end" if n in leaving else "final"
            lines += [
                f"  s{n}:",
                f"    label: S{n}",
                f"    api_value: v{n % 3}",
                f"    {kind}: true",
            ]
        lines += ["events:", "  make: {description: Create.}"]
        lines += [f"  e{n}: {{description: E{n}.}}" for n in range(self.events)]
        lines += ["transitions:", f"  - {{event: make, target: s{self.start}}}"]
        for event, sources, target, guarded in self.transitions:
            source = "[" + ", ".join(f"s{s}" for s in sources) + "]"
            guard = f", guard: {GUARD!r}" if guarded else ""
            lines.append(f"  - {{event: e{event}, source: {source}, target: s{target}{guard}}}")
        return "\n".join(lines) + "\n"


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    states = draw(st.integers(2, 6))
    events = draw(st.integers(1, 4))
    index = st.integers(0, states - 1)
    transition = st.tuples(
        st.integers(0, events - 1),
        st.lists(index, min_size=1, max_size=3, unique=True).map(tuple),
        index,
        st.booleans(),
    )
    # A chain through every state keeps each one reachable.
    chain = tuple((n % events, (n,), n + 1, False) for n in range(states - 1))
    extra = draw(st.lists(transition, max_size=8))
    # Created in s0: the chain from there reaches every state.
    return Spec(states, events, reachable(chain + tuple(extra)), 0)


def reachable(
    transitions: tuple[tuple[int, tuple[int, ...], int, bool], ...],
) -> tuple[tuple[int, tuple[int, ...], int, bool], ...]:
    """Drop sources where the transition could never run, as the checker rightly refuses.

    That is: after an unguarded transition for the same event and source, or after one
    with the same (only) guard.
    """
    taken: set[tuple[int, int, bool]] = set()
    kept = []
    for event, sources, target, guarded in transitions:
        left = tuple(
            s
            for s in sources
            if (event, s, False) not in taken and (event, s, guarded) not in taken
        )
        if left:
            kept.append((event, left, target, guarded))
        taken.update((event, s, guarded) for s in left)
    return tuple(kept)


SENDS = st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=1, max_size=25)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), SENDS)
def test_random_definitions_keep_every_promise(spec: Spec, sends: list[tuple[int, bool]]) -> None:
    lifecycle = engine.load(spec.yaml())
    eng = Engine(lifecycle, store="memory:")
    eng.create("x", {})

    for number, go in sends:
        event = f"e{number % spec.events}"
        before, journal_before = eng.get("x"), eng.history("x")
        allowed = eng.allowed_events("x")
        possible = lifecycle.definition.events_from(before.state)

        try:
            result = eng.send("x", event, {"go": go})
        except EventRefused as refused:
            assert refused.state == before.state
            assert event not in allowed or not go
            after = eng.get("x")
            assert (after.state, after.version, after.data) == (
                before.state,
                before.version,
                before.data,
            )
            added = eng.history("x")[len(journal_before) :]
            assert [(e.kind, e.event) for e in added] == [(REFUSED, event)]
            assert added[0].reason
        else:
            assert event in possible
            assert result.previous_state == before.state
            assert result.version == before.version + 1
        if event in allowed and go:
            assert eng.get("x").version == before.version + 1, f"{event!r} was allowed"

        order = eng.get("x")
        assert order.state in lifecycle.states
        assert replay(lifecycle, eng.history("x")) == order.state
    eng.close()


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), SENDS)
def test_random_definitions_keep_every_promise_long(
    spec: Spec, sends: list[tuple[int, bool]]
) -> None:
    test_random_definitions_keep_every_promise.hypothesis.inner_test(spec, sends)


def test_the_generator_makes_loadable_definitions() -> None:
    spec = Spec(3, 2, ((0, (0,), 1, False), (1, (1, 2), 2, True)), 0)

    lifecycle = engine.load(spec.yaml())

    assert list(lifecycle.states) == ["s0", "s1", "s2"]
    assert lifecycle.definition.events_from("s1") == ("e1",)
    assert [t.guards for t in lifecycle.transitions if t.event == "e1"] == [(GUARD,)]
    assert APPLIED == "applied"


def test_an_end_state_that_nothing_leaves_loads() -> None:
    """Found by this fuzzer. The checker accepts a dead-end state marked ``end: true`` (its
    LC312 hint even suggests it), but building the machine then fails with LC901, because
    python-statemachine's own trap-state check still runs."""
    text = "\n".join(
        [
            "lifecycle: dead_end",
            "version: 1",
            "description: An end state with no way out.",
            "states:",
            "  open: {label: Open, api_value: open}",
            "  done: {label: Done, api_value: done, end: true}",
            "events:",
            "  make: {description: Create.}",
            "  close: {description: Close.}",
            "transitions:",
            "  - {event: make, target: open}",
            "  - {event: close, source: open, target: done}",
            "",
        ]
    )

    lifecycle = engine.load(text)

    assert lifecycle.definition.events_from("done") == ()

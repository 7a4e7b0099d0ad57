"""Machine classes built from definitions: names, creation, guards, caching, reuse."""

from __future__ import annotations

import pytest
import yaml

from engine.clock import ManualClock
from engine.definition.build import build_definition
from engine.errors import DefinitionError, EventRefused
from engine.lifecycle import Lifecycle
from engine.machine import MachineRunner, StepContext, build_machine_class, identifiers
from engine.runtime import Engine

AWKWARD = """
lifecycle: awkward
version: 1
states:
  send: {label: Send, api_value: send}
  model: {label: Model, api_value: model}
  with space: {label: With space, api_value: spaced}
  "it's \\"quoted\\"": {label: Quoted, api_value: quoted, final: true}
events:
  send: {}
  configuration: {merge: true}
  run now: {}
  current_state_value: {}
guards:
  big: {expression: order.total > 10}
  approved: {python: true}
transitions:
  - {event: send, target: send}
  - {event: configuration, source: send, target: model, guard: big}
  - {event: configuration, source: send, target: with space, guard: approved}
  - {event: run now, source: [model, with space], target: "it's \\"quoted\\""}
  - {event: current_state_value, source: model, target: model}
"""


def lifecycle_of(text: str, digest: str = "") -> Lifecycle:
    return Lifecycle(build_definition(yaml.safe_load(text), digest=digest or str(hash(text))))


@pytest.fixture
def awkward() -> Lifecycle:
    return lifecycle_of(AWKWARD)


def test_identifiers_are_distinct_and_valid():
    names = identifiers(["a b", "a-b", "send", "it's"], "s")
    assert len(set(names.values())) == 4
    assert all(name.isidentifier() for name in names.values())


def test_names_that_clash_with_the_library_work(tmp_path, awkward):
    approvals = {"A": True, "B": True}
    engine = Engine(
        awkward,
        tmp_path / "awkward.db",
        guards={"approved": lambda order, event, settings: approvals[order["id"]]},
        clock=ManualClock(),
    )
    engine.send("A", "send", {"id": "A", "total": 50})
    assert engine.send("A", "configuration").state == "model"
    assert engine.send("A", "current_state_value").state == "model"
    assert engine.send("A", "run now").state == 'it\'s "quoted"'

    engine.send("B", "send", {"id": "B", "total": 5})
    assert engine.send("B", "configuration").state == "with space"  # second candidate
    engine.close()


def test_a_missing_value_is_a_guard_that_could_not_be_evaluated(tmp_path, awkward):
    engine = Engine(
        awkward, tmp_path / "a.db", guards={"approved": lambda o, e, s: False}, clock=ManualClock()
    )
    engine.send("C", "send", {"id": "C"})
    with pytest.raises(EventRefused) as refused:
        engine.send("C", "configuration")
    message = str(refused.value)
    assert "guard 'big', which could not be evaluated" in message
    assert "guard 'approved'" in message
    assert [r.guard for r in refused.value.refusals] == ["big", "approved"]
    engine.close()


def test_python_guards_must_be_registered(tmp_path, awkward):
    with pytest.raises(Exception, match="Python guard 'approved' is declared"):
        Engine(awkward, tmp_path / "a.db")
    with pytest.raises(Exception, match="'extra' is registered"):
        Engine(awkward, tmp_path / "a.db", guards={"approved": print, "extra": print})


def test_classes_are_cached_by_content():
    first = lifecycle_of(AWKWARD, digest="same")
    second = lifecycle_of(AWKWARD, digest="same")
    other = lifecycle_of(AWKWARD, digest="other")
    assert build_machine_class(first) is build_machine_class(second)
    assert build_machine_class(first) is not build_machine_class(other)


def test_what_the_library_refuses_is_a_located_problem():
    text = AWKWARD.replace(
        "  - {event: send, target: send}\n",
        "  - {event: send, target: send}\n"
        '  - {event: send, source: "it\'s \\"quoted\\"", target: send}\n',
    )
    lifecycle = lifecycle_of(text)
    with pytest.raises(DefinitionError) as raised:
        build_machine_class(lifecycle)
    (problem,) = raised.value.problems
    assert problem.code == "LC901"
    assert "final state" in problem.message
    assert "'it\\'s \"quoted\"'" in problem.message  # the definition's name, not ours
    assert problem.path == 'states.it\'s "quoted"'


def test_restoring_a_state_runs_no_callbacks_and_reuses_the_instance(awkward):
    runner = MachineRunner(awkward)
    machine = runner.machine
    seen: list[str] = []
    machine.add_listener(
        type("Spy", (), {"on_enter_state": lambda self, target: seen.append(target.value)})()
    )

    ctx = StepContext({"total": 20}, {}, {}, {"approved": lambda o, e, s: True})
    taken = runner.step("send", "configuration", ctx)
    assert taken.target == "model"
    names = runner.names.states
    assert seen == [names["model"]]  # the step entered its target, the restore entered nothing
    assert runner.machine is machine

    runner.step("with space", "run now", StepContext({}, {}, {}, {}))
    assert seen == [names["model"], names['it\'s "quoted"']]
    # A final state stopped the library's engine; the reused instance still runs steps.
    assert runner.step("send", "configuration", ctx).target == "model"


TWINS = """
lifecycle: twins
version: 1
channels:
  wms: {}
hooks:
  loud: {channel: wms, action: loud}
  quiet: {channel: wms, action: quiet}
states:
  open: {label: Open, api_value: open}
  done: {label: Done, api_value: done, final: true}
events:
  download: {}
  finish: {}
guards:
  urgent: {expression: event.urgent == true}
transitions:
  - {event: download, target: open}
  - {event: finish, source: open, target: done, guard: urgent, hooks: [loud]}
  - {event: finish, source: open, target: done, hooks: [quiet]}
"""


@pytest.mark.parametrize("urgent, hook", [(True, "loud"), (False, "quiet")])
def test_candidates_with_the_same_target_are_told_apart(tmp_path, urgent, hook):
    engine = Engine(lifecycle_of(TWINS), tmp_path / "twins.db", clock=ManualClock())
    engine.create("T-1", {})
    assert engine.send("T-1", "finish", {"urgent": urgent}).hooks == (hook,)
    engine.close()


DEAD_END = """
lifecycle: dead_end
version: 1
states:
  open: {label: Open, api_value: open}
  done: {label: Done, api_value: done, end: true}
events:
  make: {}
  close: {}
transitions:
  - {event: make, target: open}
  - {event: close, source: open, target: done}
"""


def test_an_end_state_nothing_leaves_runs_and_refuses_further_events(tmp_path):
    engine = Engine(lifecycle_of(DEAD_END), tmp_path / "dead.db", clock=ManualClock())
    engine.create("D-1", {})
    assert engine.send("D-1", "close").state == "done"
    with pytest.raises(EventRefused, match="'close' is not allowed now"):
        engine.send("D-1", "close")
    engine.close()


def test_generated_identifiers_stay_distinct_when_a_suffix_is_taken() -> None:
    from engine.machine import identifiers

    made = identifiers(["y_2", "y", "y.", "y-"], "s")

    assert len(set(made.values())) == 4
    assert all(ident.isidentifier() for ident in made.values())

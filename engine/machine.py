"""Build python-statemachine classes from a lifecycle, and run one step on a reused instance.

A lifecycle's state ids and event names may be anything YAML allows (``send``, ``model``,
``with spaces``), so the class never uses them as attribute names or state values: each
state and event gets a generated identifier (kept in :class:`MachineNames`), and the
original text is kept as the event's ``name``. Orders that do not exist yet start from
a hidden pseudo-state, from which the creation transitions leave.

Guards are ``cond`` callables. They read the step's :class:`StepContext`, which the
runner passes as the ``ctx`` keyword of ``send``; the context also records which guard
said no (and with which values) so that a refusal can be explained.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from statemachine import Event, State, StateMachine
from statemachine.exceptions import InvalidDefinition, TransitionNotAllowed

from engine.definition.model import Definition, Location, Transition
from engine.errors import DefinitionError, GuardRefusal, Problem
from engine.guards import CompiledGuard, GuardEvaluationError

if TYPE_CHECKING:
    from engine.lifecycle import Lifecycle

logger = logging.getLogger(__name__)

START = "__start__"  # the value of the hidden pseudo-state orders are created from
PythonGuard = Callable[[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]], bool]

_NOT_IDENTIFIER = re.compile(r"\W+")
_READS = re.compile(r"\b(order|event|settings)((?:\.[A-Za-z_]\w*)*)")
_MISSING = "<missing>"


@dataclass(slots=True)
class StepContext:
    """What the guards of one step read, and what the step found out."""

    order: Mapping[str, Any]
    event: Mapping[str, Any]
    settings: Mapping[str, Any]
    python_guards: Mapping[str, PythonGuard]
    taken: int = -1  # the transition taken, where its target alone does not tell
    refusals: list[GuardRefusal] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MachineNames:
    """Generated identifiers: state id -> attribute, event name -> attribute, and back."""

    states: dict[str, str]
    events: dict[str, str]


def identifiers(names: list[str], prefix: str) -> dict[str, str]:
    """A distinct Python identifier for each name, readable where the name allows."""
    taken: set[str] = set()
    result: dict[str, str] = {}
    for index, name in enumerate(names):
        base = f"{prefix}_{_NOT_IDENTIFIER.sub('_', name).strip('_')}"
        ident, suffix = base, index
        # A suffix can itself be another name's identifier ("y_2" beside "y" and "y."),
        # so keep counting until the identifier is free.
        while ident in taken:
            ident = f"{base}_{suffix}"
            suffix += 1
        taken.add(ident)
        result[name] = ident
    return result


_CACHE: dict[str, tuple[type[StateMachine], MachineNames]] = {}
_CACHE_LOCK = threading.Lock()


def build_machine_class(lifecycle: Lifecycle, *, cached: bool = True) -> type[StateMachine]:
    """The python-statemachine class of ``lifecycle``, built once per definition content.

    ``cached=False`` builds anew, as a benchmark of the build needs.
    """
    if not cached:
        return _build(lifecycle)[0]
    return machine_parts(lifecycle)[0]


def machine_parts(lifecycle: Lifecycle) -> tuple[type[StateMachine], MachineNames]:
    """The class and its generated names, from the cache when the content was built before."""
    key = lifecycle.definition.digest or f"id:{id(lifecycle.definition)}"
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is None:
            cached = _build(lifecycle)
            _CACHE[key] = cached
    return cached


def _build(lifecycle: Lifecycle) -> tuple[type[StateMachine], MachineNames]:
    definition = lifecycle.definition
    names = MachineNames(
        states=identifiers([START, *definition.states], "s"),
        events=identifiers(list(definition.events), "e"),
    )
    attrs: dict[str, Any] = {"__module__": __name__}
    # Values are the generated names too: the library keeps each state's value as an
    # attribute of the instance, where a state called "model" would clash.
    ident = names.states
    states = {START: State(name="(not created)", value=ident[START], initial=True)}
    left = {source for transition in definition.transitions for source in transition.sources}
    for state in definition.states.values():
        final = state.final or (state.end and state.id not in left)
        states[state.id] = State(name=state.label, value=ident[state.id], final=final)
    attrs.update({names.states[sid]: state for sid, state in states.items()})

    grouped: dict[str, Any] = {}
    ambiguous = _ambiguous(definition)
    for index, transition in enumerate(definition.transitions):
        built = _transitions(states, index, transition, lifecycle.guards, ambiguous)
        event = transition.event
        grouped[event] = built if event not in grouped else grouped[event] | built
    for event, transitions in grouped.items():
        attrs[names.events[event]] = Event(transitions, name=event)

    # The library's "every state reaches a final state" check is off, for two reasons:
    # it cannot see ``end`` states (ends of the normal path that operators may reopen),
    # and it walks the graph once per state, which made a 2,000-state definition take
    # seconds. The definition checker applies the same rule (LC313) in one linear pass,
    # with ``end`` taken into account. The library's other checks stay on. An ``end``
    # state nothing leaves is final for the library, whose trap check would otherwise
    # refuse it.
    attrs["validate_final_reachability"] = False

    class_name = "Lifecycle_" + _NOT_IDENTIFIER.sub("_", definition.name or "unnamed")
    try:
        machine_class = type(StateMachine)(class_name, (StateMachine,), attrs)
    except InvalidDefinition as exc:
        raise DefinitionError([_library_problem(definition, names, str(exc))]) from None
    return machine_class, names


def _transitions(
    states: dict[str, State],
    index: int,
    transition: Transition,
    guards: dict[str, CompiledGuard],
    ambiguous: set[tuple[str, str]],
) -> Any:
    """The library transitions for one definition transition, one per source."""
    built = None
    for source in transition.sources or (START,):
        conds = [_guard_callable(name, guards.get(name)) for name in transition.guards]
        if (source, transition.event) in ambiguous:
            conds.append(_recorder(index))  # last: runs only once every guard held
        step = states[source].to(states[transition.target], cond=conds)
        built = step if built is None else built | step
    return built


def taken_by_target(definition: Definition) -> dict[tuple[str, str, str], int]:
    """(source, event, target) -> transition index, where the target alone tells which.

    Only where two candidates for one source and event share a target must the step record
    the one taken; every other step is identified after the fact, at no cost.
    """
    taken: dict[tuple[str, str, str], int] = {}
    seen: set[tuple[str, str, str]] = set()
    for index, transition in enumerate(definition.transitions):
        for source in transition.sources or (START,):
            key = (source, transition.event, transition.target)
            if key in seen:
                taken.pop(key, None)
            else:
                taken[key] = index
            seen.add(key)
    return taken


def _ambiguous(definition: Definition) -> set[tuple[str, str]]:
    unique = taken_by_target(definition)
    pairs = set()
    for transition in definition.transitions:
        for source in transition.sources or (START,):
            if (source, transition.event, transition.target) not in unique:
                pairs.add((source, transition.event))
    return pairs


def _recorder(index: int) -> Callable[[StepContext], bool]:
    def taken(ctx: StepContext) -> bool:
        ctx.taken = index
        return True

    return taken


def _guard_callable(name: str, compiled: CompiledGuard | None) -> Callable[[StepContext], bool]:
    """A ``cond`` for one guard: a compiled CEL guard, or a Python guard looked up per step."""
    if compiled is None:

        def python_guard(ctx: StepContext) -> bool:
            return _holds(ctx, name, "", ctx.python_guards[name])

        return python_guard

    def cel_guard(ctx: StepContext) -> bool:
        return _holds(ctx, name, compiled.expression, compiled)

    return cel_guard


def _holds(ctx: StepContext, name: str, expression: str, guard: Callable[..., bool]) -> bool:
    try:
        if guard(ctx.order, ctx.event, ctx.settings):
            return True
        error = ""
    except GuardEvaluationError as exc:
        # Data a guard needs is missing: the guard does not hold, and the refusal says why.
        error = str(exc)
    values = values_read(expression, ctx) if expression else {}
    ctx.refusals.append(GuardRefusal(name, expression, values, error))
    return False


def values_read(expression: str, ctx: StepContext) -> dict[str, Any]:
    """The dotted paths an expression reads, with the value each has in this step."""
    roots = {"order": ctx.order, "event": ctx.event, "settings": ctx.settings}
    values: dict[str, Any] = {}
    for match in _READS.finditer(expression):
        path = match[0]
        value: Any = roots[match[1]]
        for part in match[2].split(".")[1:]:
            value = value.get(part, _MISSING) if isinstance(value, Mapping) else _MISSING
        values[path] = value
    return values


def _library_problem(definition: Definition, names: MachineNames, message: str) -> Problem:
    """Our located problem for a message of the library, in the definition's own names."""
    where: Location = Location(definition.source)
    found = False
    for state_id, ident in names.states.items():
        if repr(ident) not in message:
            continue
        message = message.replace(repr(ident), repr(state_id))
        if not found and state_id in definition.states:
            where, found = definition.states[state_id].location, True
    return Problem(
        "LC901",
        f"python-statemachine refused the definition: {message}",
        where.file,
        where.line,
        where.column,
        where.path,
        "fix the definition so that the state machine library accepts it",
    )


@dataclass(frozen=True, slots=True)
class Refused:
    """A step that did not happen: no transition for the event, or every guard said no."""

    refusals: tuple[GuardRefusal, ...]
    no_transition: bool


class MachineRunner:
    """One reused machine instance that runs single steps for any order.

    Not thread-safe: each engine (and so each thread or process) owns its runner.
    """

    def __init__(self, lifecycle: Lifecycle) -> None:
        self.lifecycle = lifecycle
        machine_class, self.names = machine_parts(lifecycle)
        self.machine = machine_class()
        # Keyed by generated names, which is what the machine reports after a step.
        states, events = self.names.states, self.names.events
        self._taken = {
            (states[source], event, states[target]): index
            for (source, event, target), index in taken_by_target(lifecycle.definition).items()
        }
        self._transitions = lifecycle.definition.transitions
        self._events = events

    def step(self, state: str | None, event: str, ctx: StepContext) -> Transition | Refused:
        """Run ``event`` from ``state`` (None: not created); the transition taken, or why not."""
        machine = self.machine
        source = self.names.states[START if state is None else state]
        # Restoring the state is an assignment: no exit, enter or transition callback runs.
        machine.current_state_value = source
        # Entering a final state stops the library's engine; the instance is reused for
        # other orders, so it is set running again.
        machine._engine.running = True

        try:
            machine.send(self._events[event], ctx=ctx)
        except TransitionNotAllowed:
            return Refused(tuple(ctx.refusals), no_transition=not ctx.refusals)

        index = self._taken.get((source, event, machine.current_state_value), ctx.taken)
        return self._transitions[index]

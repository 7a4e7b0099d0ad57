"""A neutral picture of a lifecycle: the boxes and arrows every diagram format draws.

:func:`build_graph` decides once what a diagram shows (which text, which kind of box,
which arrows are merged); the format modules only decide how it looks. Node ids are
generated (``s0``, ``s1``… in definition order, ``start`` for the start point) so that no
state id ever has to be valid syntax in a target format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

from engine.definition.model import Definition, HookRef, State, Transition
from engine.diagrams.text import shorten

START = "start"
HOOK_ARROW = "⇢"

Move = tuple[str | None, str, str]  # (source state, or None when created; target; event)
ArrowKey = tuple[str, str, bool, bool]  # (tail node, head node, internal, taken)


class Kind(Enum):
    """How a state's box is drawn."""

    NORMAL = "normal"
    INITIAL = "initial"
    END = "end"
    FINAL = "final"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Step:
    """One move an order made: ``event`` took it from ``source`` (None: created) to ``target``."""

    event: str
    source: str | None
    target: str


@dataclass(frozen=True, slots=True)
class OrderView:
    """One order drawn on its lifecycle: its current state and the steps it took."""

    order_id: str
    state: str
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True, slots=True)
class Node:
    """A state's box: its title, the lines under it, and its hooks (already tagged)."""

    id: str
    state_id: str
    title: str
    details: tuple[str, ...]
    hooks: tuple[str, ...]
    kind: Kind
    current: bool = False
    visited: bool = False
    main: bool = False  # on the main path, which layouts draw in a straight line


@dataclass(frozen=True, slots=True)
class Label:
    """What one transition adds to an arrow: its event, guard text and tagged hooks."""

    event: str
    guard: str = ""
    hooks: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Edge:
    """An arrow; parallel transitions of one kind between two boxes share one arrow."""

    source: str
    target: str
    labels: tuple[Label, ...]
    internal: bool = False
    taken: bool = False
    backward: bool = False  # leads back towards the start; layouts rank it the other way
    steps: tuple[int, ...] = ()  # the order's moves along this arrow, numbered from 1

    @property
    def step_text(self) -> str:
        """The order's step numbers as the arrow shows them ("steps 2, 4"), or ""."""
        if not self.steps:
            return ""
        noun = "step" if len(self.steps) == 1 else "steps"
        return f"{noun} {', '.join(str(number) for number in self.steps)}"


@dataclass(frozen=True, slots=True)
class Graph:
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    has_start: bool = False
    order: OrderView | None = None
    node_ids: dict[str, str] = field(default_factory=dict)  # state id -> node id


def build_graph(
    definition: Definition,
    *,
    guards: bool = True,
    hooks: bool = True,
    order_view: OrderView | None = None,
) -> Graph:
    """Decide what a diagram of ``definition`` shows; the formats only draw it."""
    node_ids = {state_id: f"s{index}" for index, state_id in enumerate(definition.states)}
    visited = _visited_states(order_view)
    nodes = tuple(
        _node(definition, state, node_ids[state.id], hooks, order_view, visited)
        for state in definition.states.values()
    )

    taken = _taken_moves(order_view)
    edges = _edges(definition, node_ids, guards, hooks, taken)
    edges, main = _layout_hints(edges)
    nodes = tuple(replace(node, main=node.id in main) for node in nodes)

    has_start = any(t.creates for t in definition.transitions)
    title = f"{definition.name} lifecycle, version {definition.version}"
    return Graph(title, nodes, edges, has_start, order_view, node_ids)


def _layout_hints(edges: tuple[Edge, ...]) -> tuple[tuple[Edge, ...], set[str]]:
    """Mark arrows that lead back towards the start, and find the main path.

    Depth is the number of arrows from the start (breadth first, in definition order). An
    arrow to a shallower box leads back; the main path is the longest chain of arrows that
    each lead one step deeper, the first such chain on ties.
    """
    depth = _depths(edges)
    marked = [replace(e, backward=depth.get(e.target, 0) < depth.get(e.source, 0)) for e in edges]

    longest: dict[str, list[str]] = {}
    for node in sorted(depth, key=lambda n: -depth[n]):
        chains = [
            longest[e.target]
            for e in edges
            if e.source == node and depth.get(e.target, 0) == depth[node] + 1
        ]
        longest[node] = [node, *max(chains, key=len, default=[])]
    roots = [START] if START in depth else list(depth)[:1]
    main = set(longest[roots[0]][1:]) if roots else set()
    return tuple(marked), main


def _depths(edges: tuple[Edge, ...]) -> dict[str, int]:
    sources = {e.source for e in edges}
    first = START if START in sources else next(iter(sources), None)
    if first is None:
        return {}

    depth = {first: 0}
    frontier = [first]
    while frontier:
        following = []
        for edge in edges:
            if edge.source in frontier and edge.target not in depth:
                depth[edge.target] = depth[edge.source] + 1
                following.append(edge.target)
        frontier = following
    return depth


def _visited_states(order_view: OrderView | None) -> set[str]:
    if order_view is None:
        return set()
    return {order_view.state} | {step.target for step in order_view.steps}


def _taken_moves(order_view: OrderView | None) -> dict[Move, list[int]]:
    """Each move the order made, with the numbers (from 1) of the steps that made it."""
    numbers: dict[Move, list[int]] = {}
    if order_view is None:
        return numbers
    for number, step in enumerate(order_view.steps, start=1):
        numbers.setdefault((step.source, step.target, step.event), []).append(number)
    return numbers


def _node(
    definition: Definition,
    state: State,
    node_id: str,
    show_hooks: bool,
    order_view: OrderView | None,
    visited: set[str],
) -> Node:
    details = []
    if _spelled(state.label) != state.id:
        details.append(f"id: {state.id}")
    if state.api_value != state.id:
        details.append(f"API value: {state.api_value}")

    hook_lines = tuple(_hook_text(definition, ref) for ref in state.hooks) if show_hooks else ()
    return Node(
        id=node_id,
        state_id=state.id,
        title=state.label,
        details=tuple(details),
        hooks=hook_lines,
        kind=_kind(definition, state),
        current=order_view is not None and order_view.state == state.id,
        visited=state.id in visited,
    )


def _spelled(label: str) -> str:
    """The id a label spells: ``At WMS`` → ``at_wms``; an id equal to it is not shown."""
    return "_".join(label.lower().split())


def _kind(definition: Definition, state: State) -> Kind:
    # The error state wins: it is the one a reader must spot first.
    if state.error:
        return Kind.ERROR
    if state.final:
        return Kind.FINAL
    if state.end:
        return Kind.END
    if state.id == definition.initial_state.id and definition.creation_events:
        return Kind.INITIAL
    return Kind.NORMAL


def _hook_text(definition: Definition, ref: HookRef) -> str:
    hook = definition.hooks.get(ref.hook)
    text = f"{HOOK_ARROW} {hook.channel}: {hook.action}" if hook else f"{HOOK_ARROW} {ref.hook}"
    if ref.when:
        text += f" if {_guard_text(definition, ref.when)}"
    return text


def _guard_text(definition: Definition, guard: str) -> str:
    """A guard name as written; an inline expression cut to one short line."""
    return guard if guard in definition.guards else shorten(guard)


def _edges(
    definition: Definition,
    node_ids: dict[str, str],
    show_guards: bool,
    show_hooks: bool,
    taken: dict[Move, list[int]],
) -> tuple[Edge, ...]:
    # Arrows are keyed by (from, to, internal, taken) and keep the order of their first
    # transition, so the output only changes when the definition does.
    grouped: dict[ArrowKey, list[Label]] = {}
    steps: dict[ArrowKey, list[int]] = {}
    for transition in definition.transitions:
        if transition.target not in node_ids:
            continue  # an unchecked definition; the loader reports it, a diagram skips it
        label = _label(definition, transition, show_guards, show_hooks)
        internal = _is_internal(definition, transition.event)
        for source in transition.sources or (None,):
            if source is not None and source not in node_ids:
                continue
            numbers = taken.get((source, transition.target, transition.event), [])
            tail = START if source is None else node_ids[source]
            key = (tail, node_ids[transition.target], internal, bool(numbers))
            labels = grouped.setdefault(key, [])
            labels.append(_for_source(definition, transition, source, label, show_guards))
            steps.setdefault(key, []).extend(numbers)

    return tuple(_arrow(key, labels, steps[key]) for key, labels in grouped.items())


def _arrow(key: ArrowKey, labels: list[Label], steps: list[int]) -> Edge:
    source, target, internal, was_taken = key
    numbers = tuple(sorted(set(steps)))
    return Edge(source, target, _merge_labels(labels), internal, was_taken, steps=numbers)


def _merge_labels(labels: list[Label]) -> tuple[Label, ...]:
    """Events that share one arrow, guard and hooks are listed together on one label."""
    events: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for label in labels:
        events.setdefault((label.guard, label.hooks), []).append(label.event)
    return tuple(
        Label(", ".join(dict.fromkeys(names)), guard, hooks)
        for (guard, hooks), names in events.items()
    )


def _is_internal(definition: Definition, event: str) -> bool:
    known = definition.events.get(event)
    return bool(known and known.internal)


def _label(
    definition: Definition, transition: Transition, show_guards: bool, show_hooks: bool
) -> Label:
    guard = ""
    if show_guards and transition.guards:
        guard = "[" + ", ".join(_guard_text(definition, g) for g in transition.guards) + "]"
    hook_lines: tuple[str, ...] = ()
    if show_hooks:
        hook_lines = tuple(_hook_text(definition, ref) for ref in transition.hooks)
    return Label(transition.event, guard, hook_lines)


def _for_source(
    definition: Definition,
    transition: Transition,
    source: str | None,
    label: Label,
    show_guards: bool,
) -> Label:
    """Mark an unguarded fallback as ``[else]`` where guarded candidates come before it."""
    if not show_guards or transition.guards:
        return label
    earlier = _candidates_before(definition.transitions, transition, source)
    if any(candidate.guards for candidate in earlier):
        return Label(label.event, "[else]", label.hooks)
    return label


def _candidates_before(
    transitions: Sequence[Transition], transition: Transition, source: str | None
) -> list[Transition]:
    earlier = []
    for candidate in transitions:
        if candidate is transition:
            break
        same_source = (source is None and candidate.creates) or source in candidate.sources
        if candidate.event == transition.event and same_source:
            earlier.append(candidate)
    return earlier

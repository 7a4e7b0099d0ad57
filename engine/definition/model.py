"""The Definition: a lifecycle as plain, immutable data.

Everything downstream (the machine builder, the runtime, diagrams and docs) reads these
objects and never the YAML. Each object keeps the :class:`Location` it came from, so a
problem found late (by python-statemachine, say) can still point at the right line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was written: 1-based line and column, and the path inside the document."""

    file: str = "<string>"
    line: int = 0
    column: int = 0
    path: str = ""


NOWHERE = Location()


@dataclass(frozen=True, slots=True)
class Setting:
    """An account setting the lifecycle reads; each account supplies its own value."""

    name: str
    type: str  # one of SETTING_TYPES
    default: Any = None
    description: str = ""
    location: Location = NOWHERE


SETTING_TYPES = ("string", "boolean", "integer", "number", "object", "array")


@dataclass(frozen=True, slots=True)
class Guard:
    """A named guard: a CEL expression, or a Python callable the embedding service registers."""

    name: str
    expression: str | None = None  # None for a Python guard
    description: str = ""
    location: Location = NOWHERE

    @property
    def is_python(self) -> bool:
        return self.expression is None


@dataclass(frozen=True, slots=True)
class HookRef:
    """A use of a hook, optionally only when a CEL condition holds."""

    hook: str
    when: str | None = None
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class State:
    """A state of the lifecycle.

    ``final``: nothing leaves it. ``end``: the normal path ends here, but operators can
    reopen it. ``error``: orders here are held for a person. ``hooks`` are bound to being
    in this state: a call still due after the order has left is dropped.
    """

    id: str
    label: str
    api_value: str
    meaning: str = ""
    initial: bool = False
    final: bool = False
    end: bool = False
    error: bool = False
    hooks: tuple[HookRef, ...] = ()
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class Event:
    """An event: sent from outside (``internal`` false) or fired by a hook outcome.

    ``merge``: the event's data is merged into the order's data before guards run.
    """

    name: str
    description: str = ""
    internal: bool = False
    merge: bool = False
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class Transition:
    """``event`` moves an order from one of ``sources`` to ``target`` when every guard holds.

    ``sources`` is empty for a transition that creates the order. Candidates for one event
    and source are tried in definition order; the first whose guards all hold is taken.
    """

    event: str
    sources: tuple[str, ...]
    target: str
    guards: tuple[str, ...] = ()  # guard names or CEL expressions
    hooks: tuple[HookRef, ...] = ()
    description: str = ""
    location: Location = NOWHERE

    @property
    def creates(self) -> bool:
        return not self.sources


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to try a failed hook call again. Times are in seconds.

    The call is exhausted after ``attempts`` tries, or once ``give_up_after`` seconds have
    passed since the first try, whichever comes first.
    """

    attempts: int = 1
    interval: float = 60.0
    backoff: float = 1.0
    max_interval: float | None = None
    give_up_after: float | None = None

    def delay_after(self, attempt: int) -> float:
        """The wait before try ``attempt + 1``, after try ``attempt`` (1-based) failed."""
        delay = self.interval * (self.backoff ** max(attempt - 1, 0))
        if self.max_interval is not None:
            delay = min(delay, self.max_interval)
        return delay


@dataclass(frozen=True, slots=True)
class Hook:
    """A call to an outside system, delivered from the outbox after commit."""

    name: str
    channel: str
    action: str
    description: str = ""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    on_success: str | None = None
    on_failure: str | None = None
    on_exhausted: str | None = None
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class Channel:
    """An outside system hooks talk to (``wms``, ``cart``)."""

    name: str
    description: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class Definition:
    """A whole lifecycle. Mappings keep definition order."""

    name: str
    version: int
    description: str
    states: dict[str, State]
    events: dict[str, Event]
    transitions: tuple[Transition, ...]
    guards: dict[str, Guard]
    hooks: dict[str, Hook]
    channels: dict[str, Channel]
    settings: dict[str, Setting]
    filters: dict[str, tuple[str, ...]]  # filter name -> API values
    source: str = "<string>"
    digest: str = ""  # sha256 of the source text: the cache key for built classes

    @property
    def initial_state(self) -> State:
        for state in self.states.values():
            if state.initial:
                return state
        return next(iter(self.states.values()))

    @property
    def creation_events(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.event for t in self.transitions if t.creates))

    def transitions_from(self, state_id: str) -> tuple[Transition, ...]:
        return tuple(t for t in self.transitions if state_id in t.sources)

    def events_from(self, state_id: str) -> tuple[str, ...]:
        """Events with at least one transition out of ``state_id``, in definition order."""
        return tuple(dict.fromkeys(t.event for t in self.transitions_from(state_id)))

    def states_with_api_value(self, api_value: str) -> tuple[str, ...]:
        return tuple(s.id for s in self.states.values() if s.api_value == api_value)

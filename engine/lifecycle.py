"""A loaded lifecycle: the Definition, its compiled guards and its machine class."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from engine.definition.loader import load_definition
from engine.definition.model import (
    Definition,
    Event,
    Hook,
    Location,
    Setting,
    State,
    Transition,
)
from engine.errors import DefinitionError, Problem
from engine.guards import CompiledGuard, GuardSyntaxError, compile_guard


class Lifecycle:
    """A checked definition, ready for the engine, diagrams and docs."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.guards: dict[str, CompiledGuard] = _compile_guards(definition)

    def __repr__(self) -> str:
        return f"<Lifecycle {self.name!r} version {self.version}>"

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def version(self) -> int:
        return self.definition.version

    @property
    def states(self) -> dict[str, State]:
        return self.definition.states

    @property
    def events(self) -> dict[str, Event]:
        return self.definition.events

    @property
    def transitions(self) -> tuple[Transition, ...]:
        return self.definition.transitions

    @property
    def hooks(self) -> dict[str, Hook]:
        return self.definition.hooks

    @property
    def settings(self) -> dict[str, Setting]:
        return self.definition.settings

    @cached_property
    def machine_class(self) -> type[Any]:
        """The python-statemachine class, built once per definition content."""
        from engine.machine import build_machine_class

        return build_machine_class(self)

    def allowed_events(self, state: str) -> tuple[str, ...]:
        """Events with a transition out of ``state``, before any guard is asked."""
        return self.definition.events_from(state)


def _compile_guards(definition: Definition) -> dict[str, CompiledGuard]:
    """Compile every guard, keyed both by guard name and by inline expression text.

    The loader has compiled them all once already and reported any failure with its exact
    place; this raises a located :class:`DefinitionError` for a Definition made elsewhere.
    """
    compiled: dict[str, CompiledGuard] = {}
    for guard in definition.guards.values():
        if guard.expression is not None:
            compiled[guard.name] = _compile_at(guard.expression, guard.location)

    inline = [(g, t.location) for t in definition.transitions for g in t.guards]
    inline += [(r.when, r.location) for s in definition.states.values() for r in s.hooks if r.when]
    inline += [(r.when, r.location) for t in definition.transitions for r in t.hooks if r.when]
    for text, location in inline:
        if text not in compiled and text not in definition.guards:
            compiled[text] = _compile_at(text, location)
    return compiled


def _compile_at(expression: str, location: Location) -> CompiledGuard:
    try:
        return compile_guard(expression)
    except GuardSyntaxError as exc:
        problem = Problem(
            "LC307",
            f"the expression {expression!r} does not compile: {exc}",
            location.file,
            location.line,
            location.column,
            location.path,
            "a guard is a CEL expression over order, event and settings",
        )
        raise DefinitionError([problem]) from None


def load(path_or_text: str | Path) -> Lifecycle:
    """Load, check and compile a lifecycle definition from a file path or YAML text."""
    lifecycle = Lifecycle(load_definition(path_or_text))
    # Built now, so that anything python-statemachine refuses is a load error too.
    lifecycle.machine_class  # noqa: B018
    return lifecycle

"""Turn a checked YAML document into a :class:`~engine.definition.model.Definition`.

The document has passed the JSON Schema by the time it gets here, or has had every part the
schema faulted removed, so this module only converts shapes (a source that is one name or a
list, a duration written as ``1h``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from engine.definition.model import (
    Channel,
    Definition,
    Event,
    Guard,
    Hook,
    HookRef,
    Location,
    RetryPolicy,
    Setting,
    State,
    Transition,
)

# Finds where a document path was written; the loader supplies one that knows positions.
Locate = Callable[[str], Location]

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def as_float(value: int | float | str) -> float:
    """``float(value)``, with a number too large for a float read as infinity.

    The checks refuse numbers that are not finite (LC324), so an overflow is reported
    where it was written instead of failing the load.
    """
    try:
        return float(value)
    except OverflowError:
        return math.inf


def parse_duration(value: int | float | str) -> float:
    """Seconds from a number of seconds or a text such as ``90s``, ``15m``, ``1h``, ``15d``."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, int | float):
        return as_float(value)
    text = value.strip()
    if text and text[-1] in _UNITS:
        return as_float(text[:-1]) * _UNITS[text[-1]]
    return as_float(text)


def as_tuple(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(value)
    return (value,)


def build_definition(
    doc: Mapping[str, Any],
    *,
    source: str = "<string>",
    digest: str = "",
    locate: Locate | None = None,
) -> Definition:
    """Build the Definition from a schema-valid (or pruned) document."""
    where: Locate = locate or (lambda path: Location(source, 0, 0, path))

    # A None item is a transition left out of a partly checked document (see damage.py).
    transitions = tuple(
        _transition(raw, where(f"transitions[{index}]"))
        for index, raw in enumerate(doc.get("transitions") or ())
        if raw is not None
    )
    initial = next((t.target for t in transitions if t.creates), None)

    states = {
        state_id: _state(state_id, raw or {}, state_id == initial, where(f"states.{state_id}"))
        for state_id, raw in (doc.get("states") or {}).items()
    }

    return Definition(
        name=str(doc.get("lifecycle", "")),
        version=int(doc.get("version", 1)),
        description=str(doc.get("description", "")),
        states=states,
        events={
            name: Event(
                name=name,
                description=(raw or {}).get("description", ""),
                internal=bool((raw or {}).get("internal", False)),
                merge=bool((raw or {}).get("merge", False)),
                location=where(f"events.{name}"),
            )
            for name, raw in (doc.get("events") or {}).items()
        },
        transitions=transitions,
        guards={
            name: Guard(
                name=name,
                expression=None if raw.get("python") else raw.get("expression"),
                description=raw.get("description", ""),
                location=where(f"guards.{name}"),
            )
            for name, raw in (doc.get("guards") or {}).items()
        },
        hooks={
            name: _hook(name, raw, where(f"hooks.{name}"))
            for name, raw in (doc.get("hooks") or {}).items()
        },
        channels={
            name: Channel(name, (raw or {}).get("description", ""), where(f"channels.{name}"))
            for name, raw in (doc.get("channels") or {}).items()
        },
        settings={
            name: Setting(
                name=name,
                type=raw["type"],
                default=raw.get("default"),
                description=raw.get("description", ""),
                location=where(f"settings.{name}"),
            )
            for name, raw in (doc.get("settings") or {}).items()
        },
        filters={name: as_tuple(values) for name, values in (doc.get("filters") or {}).items()},
        source=source,
        digest=digest,
    )


def _hook_refs(raw: Any, location: Location) -> tuple[HookRef, ...]:
    refs = []
    for item in as_tuple(raw):
        if isinstance(item, str):
            refs.append(HookRef(item, None, location))
        else:
            refs.append(HookRef(item["hook"], item.get("when"), location))
    return tuple(refs)


def _state(state_id: str, raw: Mapping[str, Any], initial: bool, location: Location) -> State:
    return State(
        id=state_id,
        label=raw.get("label", state_id),
        api_value=raw.get("api_value", state_id),
        meaning=raw.get("meaning", ""),
        initial=initial,
        final=bool(raw.get("final", False)),
        end=bool(raw.get("end", False)),
        error=bool(raw.get("error", False)),
        hooks=_hook_refs(raw.get("hooks"), location),
        location=location,
    )


def _transition(raw: Mapping[str, Any], location: Location) -> Transition:
    return Transition(
        event=raw["event"],
        sources=as_tuple(raw.get("source")),
        target=raw["target"],
        guards=as_tuple(raw.get("guard")),
        hooks=_hook_refs(raw.get("hooks"), location),
        description=raw.get("description", ""),
        location=location,
    )


def _hook(name: str, raw: Mapping[str, Any], location: Location) -> Hook:
    retry = raw.get("retry") or {}
    max_interval = retry.get("max_interval")
    give_up_after = retry.get("give_up_after")
    return Hook(
        name=name,
        channel=raw["channel"],
        action=raw.get("action", name),
        description=raw.get("description", ""),
        retry=RetryPolicy(
            attempts=int(retry.get("attempts", 1)),
            interval=parse_duration(retry.get("interval", 60)),
            backoff=as_float(retry.get("backoff", 1.0)),
            max_interval=None if max_interval is None else parse_duration(max_interval),
            give_up_after=None if give_up_after is None else parse_duration(give_up_after),
        ),
        on_success=raw.get("on_success"),
        on_failure=raw.get("on_failure"),
        on_exhausted=raw.get("on_exhausted"),
        location=location,
    )

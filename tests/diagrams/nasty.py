"""Hypothesis strategies for definitions whose every name is hostile to some format."""

from __future__ import annotations

from hypothesis import strategies as st

from engine.definition.model import (
    Channel,
    Definition,
    Event,
    Hook,
    HookRef,
    State,
    Transition,
)

# Words that Mermaid, PlantUML or DOT reserve, and text that ends or breaks their syntax.
RESERVED = (
    "end",
    "graph",
    "class",
    "style",
    "click",
    "default",
    "flowchart",
    "subgraph",
    "state",
    "@enduml",
    "@startuml",
    "[*]",
    "node",
    "edge",
    "strict",
    "digraph",
    "-->",
    "==>",
    "%%",
    "#quot;",
    "&amp;",
    "</pre>",
    "<b>",
    "\\n",
    '"',
    "a|b",
    "{x}",
    "[y]",
    "a: b; c",
    "résumé",
    "Straße",
    "заказ",
    "注文",
    "📦 shipped 🚚",
    "line one\nline two",
    "x" * 90,
    "a very long label with many words that must wrap onto several lines of text",
)

_ALPHABET = st.sampled_from(
    [*"abcXYZ09 _-.:;\"'`\\|{}[]()<>#&%*~=/+^$@!?→⇢é😀\n\t", "Ω", "ß", "中"]
)

nasty_text = st.one_of(
    st.sampled_from(RESERVED),
    st.text(_ALPHABET, min_size=1, max_size=40).filter(lambda t: t.strip()),
)


@st.composite
def nasty_definitions(draw: st.DrawFn) -> Definition:
    """A Definition built in code (no YAML) whose names come from :data:`nasty_text`."""
    state_ids = draw(st.lists(nasty_text, min_size=1, max_size=5, unique=True))
    event_names = draw(st.lists(nasty_text, min_size=1, max_size=4, unique=True))
    channel = draw(nasty_text)
    hook_names = draw(st.lists(nasty_text, min_size=1, max_size=2, unique=True))

    states = {
        state_id: State(
            id=state_id,
            label=draw(nasty_text),
            api_value=draw(nasty_text),
            meaning=draw(nasty_text),
            final=index == len(state_ids) - 1 and index > 0,
            error=index == 1,
            end=index == 2,
            hooks=(HookRef(hook_names[0]),) if index == 0 else (),
        )
        for index, state_id in enumerate(state_ids)
    }
    events = {
        name: Event(name, draw(nasty_text), internal=index % 2 == 1)
        for index, name in enumerate(event_names)
    }
    hooks = {
        name: Hook(name, channel, draw(nasty_text), on_success=event_names[-1])
        for name in hook_names
    }

    transitions = [Transition(event_names[0], (), state_ids[0], guards=(draw(nasty_text),))]
    for _ in range(draw(st.integers(1, 6))):
        transitions.append(
            Transition(
                event=draw(st.sampled_from(event_names)),
                sources=tuple(draw(st.lists(st.sampled_from(state_ids), min_size=1, max_size=2))),
                target=draw(st.sampled_from(state_ids)),
                guards=tuple(draw(st.lists(nasty_text, max_size=2))),
                hooks=tuple(
                    HookRef(h, draw(st.one_of(st.none(), nasty_text)))
                    for h in draw(st.lists(st.sampled_from(hook_names), max_size=2))
                ),
            )
        )

    return Definition(
        name=draw(nasty_text),
        version=1,
        description=draw(nasty_text),
        states=states,
        events=events,
        transitions=tuple(transitions),
        guards={},
        hooks=hooks,
        channels={channel: Channel(channel)},
        settings={},
        filters={},
    )

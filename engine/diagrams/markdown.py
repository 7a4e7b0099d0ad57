"""A Markdown page that documents a lifecycle: its states, events, rules, hooks and settings.

The page is made from the Definition alone, in definition order, so that it can be
checked in and compared byte for byte with a fresh one to tell when it is stale.
"""

from __future__ import annotations

import json
from typing import Any

from engine.definition.model import Definition, Hook, HookRef, RetryPolicy, Transition
from engine.diagrams.graph import build_graph
from engine.diagrams.mermaid import to_mermaid
from engine.diagrams.text import markdown_cell, markdown_code
from engine.lifecycle import Lifecycle

_UNITS = ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second"))


def definition_of(lifecycle: Lifecycle | Definition) -> Definition:
    """The Definition of a loaded lifecycle, or the Definition itself."""
    return lifecycle if isinstance(lifecycle, Definition) else lifecycle.definition


def docs_page(lifecycle: Lifecycle | Definition) -> str:
    """The Markdown page of ``lifecycle`` (or of a bare Definition), ending with a newline."""
    definition = definition_of(lifecycle)
    sections = [
        _heading(definition),
        _statuses(definition),
        _diagram(definition),
        _events(definition),
        _transitions(definition),
        _guards(definition),
        _hooks(definition),
        _settings(definition),
        _filters(definition),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _heading(definition: Definition) -> str:
    title = f"# The {markdown_cell(definition.name)} lifecycle"
    intro = f"Version {definition.version}."
    if definition.description:
        intro = f"{markdown_cell(definition.description)}\n\n{intro}"
    note = (
        "<!-- Generated from the lifecycle definition by `lifecycle docs`; "
        "edit the definition, not this page. -->"
    )
    return f"{note}\n\n{title}\n\n{intro}"


def _statuses(definition: Definition) -> str:
    rows = [
        (markdown_cell(s.label), markdown_code(s.api_value), markdown_cell(s.meaning))
        for s in definition.states.values()
    ]
    table = _table(("Status", "API value", "Meaning"), rows)
    return f"## Statuses\n\n{table}\n\n{_kinds(definition)}".rstrip()


def _kinds(definition: Definition) -> str:
    """One sentence per kind of state a reader must know about."""
    states = definition.states.values()
    kinds = [
        ("Orders start in", [s for s in states if s.initial]),
        ("The normal path ends in", [s for s in states if s.end]),
        ("Nothing leaves", [s for s in states if s.final]),
        ("Orders held for a person are in", [s for s in states if s.error]),
    ]
    sentences = []
    for lead, members in kinds:
        if members:
            names = ", ".join(f"{markdown_cell(s.label)} ({markdown_code(s.id)})" for s in members)
            sentences.append(f"- {lead} {names}.")
    return "\n".join(sentences)


def _diagram(definition: Definition) -> str:
    mermaid = to_mermaid(build_graph(definition))
    legend = (
        "Solid arrows are events sent from outside; dashed arrows are hook outcomes. "
        "`⇢ channel: action` marks a hook call."
    )
    return f"## Diagram\n\n```mermaid\n{mermaid}```\n\n{legend}"


def _events(definition: Definition) -> str:
    rows = [
        (
            markdown_code(event.name),
            "hook outcome" if event.internal else "from outside",
            "yes" if event.merge else "no",
            markdown_cell(event.description),
        )
        for event in definition.events.values()
    ]
    header = ("Event", "Sent", "Data merged into the order", "Meaning")
    return "## Events\n\n" + _table(header, rows)


def _transitions(definition: Definition) -> str:
    rows = [_transition_row(definition, t) for t in definition.transitions]
    intro = (
        "Candidates for one event and state are tried in this order; the first whose "
        "guards all hold is taken."
    )
    table = _table(("Event", "From", "To", "Guard", "Hooks"), rows)
    return f"## Transitions\n\n{intro}\n\n{table}"


def _transition_row(definition: Definition, transition: Transition) -> tuple[str, ...]:
    sources = ", ".join(markdown_code(s) for s in transition.sources) or "(creates the order)"
    guards = " and ".join(markdown_code(g) for g in transition.guards) or "none"
    hooks = "<br>".join(_hook_ref(definition, ref) for ref in transition.hooks) or "none"
    return (
        markdown_code(transition.event),
        sources,
        markdown_code(transition.target),
        guards,
        hooks,
    )


def _hook_ref(definition: Definition, ref: HookRef) -> str:
    hook = definition.hooks.get(ref.hook)
    text = markdown_code(ref.hook)
    if hook is not None:
        text += f" ({markdown_cell(hook.channel)})"
    if ref.when:
        text += f" when {markdown_code(ref.when)}"
    return text


def _guards(definition: Definition) -> str:
    if not definition.guards:
        return ""
    rows = [
        (
            markdown_code(guard.name),
            markdown_code(guard.expression) if guard.expression else "Python",
            markdown_cell(guard.description),
        )
        for guard in definition.guards.values()
    ]
    return "## Guards\n\n" + _table(("Guard", "Expression", "Meaning"), rows)


def _hooks(definition: Definition) -> str:
    if not definition.hooks:
        return ""
    rows = [_hook_row(definition, hook) for hook in definition.hooks.values()]
    header = (
        "Hook",
        "Channel",
        "Action",
        "Bound to",
        "Retry",
        "On success",
        "On permanent failure",
        "On exhaustion",
    )
    intro = (
        "Hooks are called from the outbox after the transition is stored. A hook bound to a "
        "state is dropped if the order has left that state by the time the call is due."
    )
    return f"## Hooks\n\n{intro}\n\n" + _table(header, rows)


def _hook_row(definition: Definition, hook: Hook) -> tuple[str, ...]:
    return (
        markdown_code(hook.name),
        markdown_cell(hook.channel),
        markdown_code(hook.action),
        _bound_to(definition, hook.name),
        retry_in_words(hook.retry),
        _outcome(hook.on_success),
        _outcome(hook.on_failure),
        _outcome(hook.on_exhausted),
    )


def _bound_to(definition: Definition, hook_name: str) -> str:
    places = [
        f"being in {markdown_code(s.id)}"
        for s in definition.states.values()
        if any(ref.hook == hook_name for ref in s.hooks)
    ]
    events = dict.fromkeys(
        t.event for t in definition.transitions if any(r.hook == hook_name for r in t.hooks)
    )
    places += [f"event {markdown_code(event)}" for event in events]
    return "<br>".join(places) or "nothing"


def _outcome(event: str | None) -> str:
    return f"fires {markdown_code(event)}" if event else "nothing more"


def retry_in_words(retry: RetryPolicy) -> str:
    """The retry policy as a short sentence, e.g. ``up to 72 tries, every 1 hour``."""
    if retry.attempts <= 1:
        words = "one try, no retry"
    else:
        words = f"up to {retry.attempts} tries, every {duration_in_words(retry.interval)}"
        if retry.backoff != 1.0:
            words += f", times {retry.backoff:g} after each failure"
        if retry.max_interval is not None:
            words += f", at most {duration_in_words(retry.max_interval)} apart"
    if retry.give_up_after is not None:
        words += f"; gives up after {duration_in_words(retry.give_up_after)}"
    return words


def duration_in_words(seconds: float) -> str:
    """Seconds in the largest whole unit: ``3600`` → ``1 hour``, ``90`` → ``90 seconds``."""
    for size, unit in _UNITS:
        count = seconds / size
        if count >= 1 and count == int(count):
            return f"{int(count)} {unit}{'s' if count != 1 else ''}"
    return f"{seconds:g} seconds"


def _settings(definition: Definition) -> str:
    if not definition.settings:
        return ""
    rows = [
        (
            markdown_code(setting.name),
            setting.type,
            markdown_code(_json(setting.default)),
            markdown_cell(setting.description),
        )
        for setting in definition.settings.values()
    ]
    intro = "Each account supplies its own values; these are the defaults."
    return f"## Settings\n\n{intro}\n\n" + _table(("Setting", "Type", "Default", "Meaning"), rows)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _filters(definition: Definition) -> str:
    if not definition.filters:
        return ""
    rows = [
        (markdown_code(name), ", ".join(markdown_code(v) for v in values))
        for name, values in definition.filters.items()
    ]
    return "## Filters\n\n" + _table(("Filter", "API values"), rows)

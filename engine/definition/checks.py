"""Semantic checks: what the schema cannot see, all reported in one pass.

Each check reads the built :class:`Definition` and the :class:`Document` it came from (for
the exact place of each name). When the schema found fault with parts of the document, the
Definition holds only the other parts, and each check leaves alone what it cannot judge: a
reference to a damaged item is not unknown, and the whole-graph checks wait for a whole graph.

Every check is linear in the size of the definition: graphs are walked breadth-first once,
duplicates are found through dictionaries.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from engine.definition.damage import Damage
from engine.definition.model import SETTING_TYPES, Definition, Transition
from engine.definition.yamlread import Document, Path, format_path
from engine.errors import Problem
from engine.guards import CompiledGuard, GuardSyntaxError, compile_guard

# A transition's guard entry that looks like a bare name refers to a named guard; anything
# else is an inline expression. CEL's literals are expressions, not names.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CEL_LITERALS = frozenset({"true", "false", "null"})
_SETTING_USE = re.compile(
    r"(?<![\w.])settings\s*(?:\.\s*([A-Za-z_]\w*)|\[\s*[\"'](\w+)[\"']\s*\])"
)

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "object": (dict,),
    "array": (list,),
}


class Checker:
    """Runs every semantic check over one definition and collects the problems."""

    def __init__(
        self, definition: Definition, document: Document, damage: Damage | None = None
    ) -> None:
        self.definition = definition
        self.document = document
        self.damage = damage or Damage()
        self.problems: list[Problem] = []
        self.compiled: dict[str, CompiledGuard] = {}
        self.known = {
            section: self._declared(section)
            for section in ("states", "events", "guards", "hooks", "channels", "settings")
        }

    def _declared(self, section: str) -> dict[str, None]:
        """Every name written in ``section``, damaged items too (a dict, for fast lookups)."""
        written = self.document.data.get(section) if self.damage else None
        if isinstance(written, dict):
            return dict.fromkeys(written)
        return dict.fromkeys(getattr(self.definition, section))

    def _judges(self, section: str) -> bool:
        """Whether names used from ``section`` can be judged: it is there and well formed."""
        return not self.damage.whole(section) and section not in self.damage.misnamed

    def _transitions(self) -> Iterator[tuple[int, Transition]]:
        """Each transition checked, with its index as written (damaged ones are left out)."""
        written = self.document.data.get("transitions") if self.damage else None
        if not isinstance(written, list):
            yield from enumerate(self.definition.transitions)
            return
        indexes = [
            i for i, raw in enumerate(written) if ("transitions", i) not in self.damage.parts
        ]
        yield from zip(indexes, self.definition.transitions, strict=True)

    def run(self) -> list[Problem]:
        for check in (
            self._references,
            self._guards,
            self._settings,
            self._hooks,
            self._filters,
            self._creation,
            self._finals,
            self._graph,
            self._overlaps,
        ):
            check()
        return sorted(self.problems, key=lambda p: (p.line, p.column, p.code))

    def _add(
        self,
        code: str,
        message: str,
        path: Path,
        hint: str = "",
        *,
        key: bool = False,
        at: tuple[int, int] | None = None,
    ) -> None:
        mark = self.document.mark(path, key=key)
        line, column = at or (mark.line, mark.column)
        where = format_path(path)
        self.problems.append(Problem(code, message, self.document.file, line, column, where, hint))

    # -- names -------------------------------------------------------------------------

    def _unknown(
        self,
        code: str,
        kind: str,
        name: str,
        known: Iterable[str],
        path: Path,
        at: tuple[int, int] | None = None,
    ) -> None:
        choices = list(known)
        close = difflib.get_close_matches(name, choices, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        listed = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
        hint += f"declared {kind}s: {listed}" if choices else f"no {kind}s are declared"
        self._add(code, f"unknown {kind} {name!r}", path, hint, at=at)

    def _references(self) -> None:
        events, states, hooks = self.known["events"], self.known["states"], self.known["hooks"]
        for index, transition in self._transitions():
            base: Path = ("transitions", index)
            if self._judges("events") and transition.event not in events:
                self._unknown("LC302", "event", transition.event, events, (*base, "event"))
            names = [*self._items(base, "source", transition.sources)]
            names.append(((*base, "target"), transition.target))
            for path, name in names:
                if self._judges("states") and name not in states:
                    self._unknown("LC301", "state", name, states, path)
        for path, ref in self._hook_refs():
            if self._judges("hooks") and ref not in hooks:
                self._unknown("LC303", "hook", ref, hooks, path)

    def _items(self, base: Path, key: str, values: tuple[str, ...]) -> Iterator[tuple[Path, str]]:
        """Each value and its path: ``base.key`` if written alone, ``base.key[i]`` in a list."""
        written = _get(self.document.data, (*base, key))
        for index, value in enumerate(values):
            yield ((*base, key, index) if isinstance(written, list) else (*base, key)), value

    def _hook_refs(self) -> Iterator[tuple[Path, str]]:
        """Each hook use with its path; compiles each use's ``when`` on the way."""
        owners: list[tuple[Path, tuple[Any, ...]]] = [
            (("states", s.id), s.hooks) for s in self.definition.states.values()
        ]
        owners += [(("transitions", i), t.hooks) for i, t in self._transitions()]
        for base, refs in owners:
            written = _get(self.document.data, (*base, "hooks"))
            for index, ref in enumerate(refs):
                path: Path = (
                    (*base, "hooks", index) if isinstance(written, list) else (*base, "hooks")
                )
                if ref.when is not None:
                    self._expression(ref.when, (*path, "when"))
                yield (
                    ((*path, "hook") if ref.when is not None or _is_map(written, index) else path),
                    ref.hook,
                )

    # -- guards and expressions -------------------------------------------------------

    def _guards(self) -> None:
        d = self.definition
        for name, guard in d.guards.items():
            raw = _get(self.document.data, ("guards", name)) or {}
            has_expression, is_python = "expression" in raw, bool(raw.get("python"))
            if has_expression == is_python:
                message = f"the guard {name!r} needs exactly one of 'expression' or 'python: true'"
                self._add(
                    "LC308",
                    message,
                    ("guards", name),
                    "give a CEL expression, or mark it python",
                    key=True,
                )
            elif guard.expression is not None:
                self._expression(guard.expression, ("guards", name, "expression"))

        guards = self.known["guards"]
        for index, transition in self._transitions():
            for path, entry in self._items(("transitions", index), "guard", transition.guards):
                if entry in guards:
                    continue
                if _NAME.match(entry) and entry not in _CEL_LITERALS:
                    if self._judges("guards"):
                        self._unknown("LC304", "guard", entry, guards, path)
                else:
                    self._expression(entry, path)

    def _expression(self, text: str, path: Path) -> None:
        """Compile ``text`` once; report a syntax error at its place inside the file."""
        if text not in self.compiled:
            try:
                self.compiled[text] = compile_guard(text)
            except GuardSyntaxError as exc:
                line, column = self._inside(path, exc.line, exc.column)
                self.problems.append(
                    Problem(
                        "LC307",
                        f"the expression {text!r} does not compile: {exc}",
                        self.document.file,
                        line,
                        column,
                        format_path(path),
                        "a guard is a CEL expression over order, event and settings",
                    )
                )
                return
        for match in _SETTING_USE.finditer(text):
            name = match[1] or match[2]
            if self._judges("settings") and name not in self.known["settings"]:
                before = text[: match.start()]
                line = before.count("\n") + 1
                at = self._inside(path, line, match.start() - (before.rfind("\n") + 1) + 1)
                self._unknown("LC306", "setting", name, self.known["settings"], path, at)

    def _inside(self, path: Path, line: int, column: int) -> tuple[int, int]:
        """The file position of ``line``:``column`` inside the scalar written at ``path``."""
        node = self.document.nodes.get(path)
        mark = self.document.mark(path)
        if node is None:
            return mark.line, mark.column
        line, column = _clamp(node.value, line, column)
        start, end = node.start_mark, node.end_mark
        if node.style in (None, "'", '"') and start.line == end.line and line == 1:
            quote = 0 if node.style is None else 1
            return start.line + 1, start.column + quote + column
        if node.style == "|":
            # A literal block keeps lines as written, indented under its header line.
            lines = self.document.text.splitlines()
            first = lines[start.line + 1] if start.line + 1 < len(lines) else ""
            indent = len(first) - len(first.lstrip(" "))
            return start.line + line + 1, indent + column
        # Folded text joins lines, so only the start of the scalar is certain.
        return mark.line, mark.column

    # -- settings, hooks, filters -----------------------------------------------------

    def _settings(self) -> None:
        for name, setting in self.definition.settings.items():
            wanted = _PYTHON_TYPES.get(setting.type)
            value = setting.default
            if wanted is None or value is None:
                continue
            # bool is an int in Python, but not an integer in a definition.
            if (isinstance(value, bool) and bool not in wanted) or not isinstance(value, wanted):
                message = f"the default {value!r} is not of the setting's type {setting.type!r}"
                self._add(
                    "LC309",
                    message,
                    ("settings", name, "default"),
                    f"give {_article(setting.type)} {setting.type} default",
                )

    def _hooks(self) -> None:
        channels, events = self.known["channels"], self.known["events"]
        for name, hook in self.definition.hooks.items():
            base: Path = ("hooks", name)
            if self._judges("channels") and hook.channel not in channels:
                self._unknown("LC305", "channel", hook.channel, channels, (*base, "channel"))
            for key in ("on_success", "on_failure", "on_exhausted"):
                event = getattr(hook, key)
                if self._judges("events") and event is not None and event not in events:
                    self._unknown("LC302", "event", event, events, (*base, key))
            self._retry(name, base)

    def _retry(self, name: str, base: Path) -> None:
        retry = self.definition.hooks[name].retry
        path: Path = (*base, "retry")
        # NaN passes every comparison below and infinity makes waits endless: refuse both
        # first, and judge the rest only when every number is finite.
        numbers = {
            "interval": retry.interval,
            "backoff": retry.backoff,
            "max_interval": retry.max_interval,
            "give_up_after": retry.give_up_after,
        }
        endless = [k for k, v in numbers.items() if v is not None and not math.isfinite(v)]
        for key in endless:
            self._add(
                "LC324",
                f"{key} {numbers[key]!r} is not a finite number",
                (*path, key),
                "write a number of seconds, or a duration such as 15m or 1h",
            )
        if endless:
            return
        if retry.attempts < 1:
            self._add(
                "LC317",
                f"attempts {retry.attempts!r} is less than 1",
                (*path, "attempts"),
                "a hook is tried at least once",
            )
        if retry.interval <= 0:
            self._add(
                "LC318",
                f"the interval {retry.interval!r} s is not positive",
                (*path, "interval"),
                "wait a positive time, such as 1h",
            )
        if retry.backoff < 1:
            self._add(
                "LC319",
                f"the backoff {retry.backoff!r} is less than 1",
                (*path, "backoff"),
                "1 keeps waits equal; above 1 makes them grow",
            )
        if retry.max_interval is not None and retry.max_interval < retry.interval:
            message = (
                f"max_interval {retry.max_interval!r} s is shorter than "
                f"the interval {retry.interval!r} s"
            )
            self._add(
                "LC320",
                message,
                (*path, "max_interval"),
                "raise max_interval or lower the interval",
            )
        if retry.give_up_after is not None and retry.give_up_after < retry.interval:
            message = (
                f"give_up_after {retry.give_up_after!r} s is shorter than "
                f"the interval {retry.interval!r} s"
            )
            self._add(
                "LC321",
                message,
                (*path, "give_up_after"),
                "no retry could happen before giving up",
            )

    def _filters(self) -> None:
        if self.damage.touches("states"):
            return  # a damaged state's API value is not known
        values = dict.fromkeys(s.api_value for s in self.definition.states.values())
        for name, members in self.definition.filters.items():
            for path, value in self._items(("filters",), name, members):
                if value not in values:
                    self._unknown("LC310", "API value", value, values, path)

    # -- the graph ----------------------------------------------------------------------

    def _creation(self) -> None:
        creating = [(i, t) for i, t in self._transitions() if t.creates]
        if not creating and not self.damage.touches("transitions"):
            self._add(
                "LC322",
                "no transition creates an order",
                ("transitions",),
                "add a transition without 'source', such as {event: download, target: new}",
                key=True,
            )
            return
        if not creating:
            return  # a damaged transition may be the one that creates
        first_event = creating[0][1].event
        for index, transition in creating:
            if transition.event != first_event:
                message = (
                    f"the event {transition.event!r} also creates orders, besides {first_event!r}"
                )
                self._add(
                    "LC323",
                    message,
                    ("transitions", index, "event"),
                    "all transitions without 'source' must be for one event",
                )

    def _finals(self) -> None:
        for index, transition in self._transitions():
            for path, source in self._items(("transitions", index), "source", transition.sources):
                state = self.definition.states.get(source)
                if state is not None and state.final:
                    message = f"the transition leaves the final state {source!r}"
                    self._add(
                        "LC314",
                        message,
                        path,
                        "nothing leaves a final state; mark it 'end: true' instead to allow exits",
                    )

    def _graph(self) -> None:
        states = self.definition.states
        # A transition to or from an unknown state is reported already; judging the graph
        # without it would only add problems that go away once the name is fixed. So would
        # judging it without a state or transition the schema found fault with.
        if self.damage.touches("states") or self.damage.touches("transitions"):
            return
        names = [(t.target, *t.sources) for t in self.definition.transitions]
        if any(name not in states for group in names for name in group):
            return
        forward: dict[str, set[str]] = {s: set() for s in states}
        backward: dict[str, set[str]] = {s: set() for s in states}
        for transition in self.definition.transitions:
            for source in transition.sources:
                if source in states and transition.target in states:
                    forward[source].add(transition.target)
                    backward[transition.target].add(source)

        starts = [
            t.target for t in self.definition.transitions if t.creates and t.target in states
        ]
        reached = _reach(starts, forward)
        ends = [s.id for s in states.values() if s.final or s.end]
        finishing = _reach(ends, backward)
        for state in states.values():
            path: Path = ("states", state.id)
            if starts and state.id not in reached:
                self._add(
                    "LC311",
                    f"the state {state.id!r} cannot be reached",
                    path,
                    "add a transition into it, or remove it",
                    key=True,
                )
            elif not forward[state.id] and not state.final and not state.end:
                self._add(
                    "LC312",
                    f"the state {state.id!r} has no way out and is not final",
                    path,
                    "add a transition out of it, or mark it 'final: true' or 'end: true'",
                    key=True,
                )
            elif state.id not in finishing:
                self._add(
                    "LC313",
                    f"no path leads from the state {state.id!r} to a final or end state",
                    path,
                    "add a transition towards a final or end state",
                    key=True,
                )

    def _overlaps(self) -> None:
        # Candidates for one event and source are tried in order: after an unguarded one,
        # the rest never run; two with the same guards cannot be told apart.
        seen: dict[tuple[str, str | None], tuple[set[frozenset[str]], int | None]] = {}
        for index, transition in self._transitions():
            for source in transition.sources or (None,):
                guards, open_at = seen.setdefault((transition.event, source), (set(), None))
                self._overlap(index, transition, source, guards, open_at)
                key = frozenset(transition.guards)
                guards.add(key)
                if not key and open_at is None:
                    seen[(transition.event, source)] = (guards, index)

    def _overlap(
        self,
        index: int,
        transition: Transition,
        source: str | None,
        guards: set[frozenset[str]],
        open_at: int | None,
    ) -> None:
        where = f"from {source!r}" if source is not None else "creating an order"
        path: Path = ("transitions", index)
        if open_at is not None:
            line = self.document.mark(("transitions", open_at)).line
            message = (
                f"the transition for {transition.event!r} {where} never runs: "
                f"the one on line {line} has no guard"
            )
            self._add(
                "LC316",
                message,
                path,
                "give the earlier transition a guard, or move this one before it",
            )
        elif frozenset(transition.guards) in guards:
            message = f"two transitions for {transition.event!r} {where} have the same guards"
            self._add("LC315", message, path, "give them different guards, or merge them")


def semantic_problems(
    definition: Definition, document: Document, damage: Damage | None = None
) -> list[Problem]:
    """Every semantic problem in ``definition``, in the order written.

    ``damage`` names the parts of ``document`` the schema faulted; ``definition`` must have
    been built without them (:meth:`Damage.prune`).
    """
    return Checker(definition, document, damage).run()


def _clamp(text: str, line: int, column: int) -> tuple[int, int]:
    """Keep a position inside ``text``: an error at the end points just past the last line."""
    lines = text.rstrip("\n").split("\n")
    if line > len(lines):
        return len(lines), len(lines[-1]) + 1
    return max(line, 1), max(1, min(column, len(lines[line - 1]) + 1))


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _reach(starts: Iterable[str], edges: dict[str, set[str]]) -> set[str]:
    reached = set(starts)
    queue = deque(reached)
    while queue:
        for following in edges.get(queue.popleft(), ()):
            if following not in reached:
                reached.add(following)
                queue.append(following)
    return reached


def _get(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _is_map(written: Any, index: int) -> bool:
    item = written[index] if isinstance(written, list) and index < len(written) else written
    return isinstance(item, dict)


__all__ = ["SETTING_TYPES", "semantic_problems"]

"""Read YAML into plain data while remembering where every key and value was written.

The rules, which docs/definition-reference.md states for users:

- Mapping keys are always the exact text written: ``on:`` is the key ``'on'``, never True.
- A value is read as YAML 1.1 reads it (``yes`` is a boolean, ``1.10`` a number); the schema
  then decides whether that type fits, and a plain value that YAML read as something other
  than text where text is expected is refused with a hint to quote it.
- Aliases, tabs in indentation, several documents, custom tags, nesting deeper than
  :data:`MAX_DEPTH` and sources over :data:`MAX_BYTES` are refused, so reading stays
  bounded in time and memory whatever the input.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from engine.errors import Problem

MAX_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 64

Path = tuple[str | int, ...]

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_STR_TAG = "tag:yaml.org,2002:str"
_TAB_INDENT = re.compile(r"^[ ]*\t", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based place in the source."""

    line: int
    column: int


@dataclass(slots=True)
class Document:
    """The data of one YAML document and where each of its parts was written.

    ``keys`` holds the place of each mapping key (by the path of the entry), ``values``
    the place of each value, and ``nodes`` the scalar nodes, so that messages can quote
    what was written rather than what YAML made of it.
    """

    data: Any
    file: str
    text: str
    keys: dict[Path, Mark] = field(default_factory=dict)
    values: dict[Path, Mark] = field(default_factory=dict)
    nodes: dict[Path, ScalarNode] = field(default_factory=dict)

    def mark(self, path: Path, *, key: bool = False) -> Mark:
        """The place of ``path``; the nearest written ancestor when it is not there itself."""
        while True:
            found = (self.keys.get(path) if key else None) or self.values.get(path)
            if found or not path:
                return found or Mark(1, 1)
            path = path[:-1]


class YamlProblems(Exception):
    """Reading stopped; ``problems`` says why. Internal to the loader."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(problems[0].message if problems else "")


def format_path(path: Path) -> str:
    """``('states', 'new', 'hooks', 0)`` -> ``states.new.hooks[0]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def decode(raw: bytes, file: str) -> str:
    """Text from bytes: UTF-8 only, a byte-order mark dropped, the size bounded."""
    if len(raw) > MAX_BYTES:
        raise YamlProblems([size_problem(len(raw), file)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = raw[exc.start : exc.start + 1]
        raise YamlProblems(
            [
                Problem(
                    "LC103",
                    f"the byte {bad!r} is not UTF-8",
                    file,
                    line,
                    column,
                    hint="save the file as UTF-8",
                )
            ]
        ) from None


def read_yaml(text: str, file: str = "<string>") -> Document:
    """Parse ``text`` (one YAML document whose top level is a mapping) with positions."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise YamlProblems([size_problem(size, file)])
    _refuse_tabs(text, file)

    try:
        loader = _PositionLoader(text)
    except yaml.reader.ReaderError as exc:
        raise YamlProblems([_character_problem(exc, text, file)]) from None

    try:
        node = loader.get_single_node()
        if node is None:
            raise YamlProblems(
                [Problem("LC104", "the document is empty", file, 1, 1, hint=_EXPECTED_TOP)]
            )
        if not isinstance(node, MappingNode):
            raise YamlProblems([_not_a_mapping(node, file)])
        document = Document(None, file, text)
        document.data = _Converter(loader, document).convert(node, ())
        return document
    except yaml.reader.ReaderError as exc:
        raise YamlProblems([_character_problem(exc, text, file)]) from None
    except _Refused as exc:
        raise YamlProblems([exc.as_problem(file)]) from None
    except yaml.MarkedYAMLError as exc:
        raise YamlProblems([_parse_problem(exc, file)]) from None
    finally:
        loader.dispose()


def size_problem(size: int, file: str) -> Problem:
    """The problem of a source of ``size`` bytes, over :data:`MAX_BYTES`."""
    size_text, limit_text = _readable(size), _readable(MAX_BYTES)
    if size_text == limit_text:
        # Just over the limit: rounded, the two would read the same.
        size_text, limit_text = f"{size:,} bytes", f"{limit_text} ({MAX_BYTES:,} bytes)"
    return Problem(
        "LC102",
        f"the source is {size_text}; the limit is {limit_text}",
        file,
        1,
        1,
        hint="split the lifecycle or remove unused text",
    )


def _readable(size: int) -> str:
    """``3250585`` -> ``3.1 MiB``: one decimal at most, none when it is zero."""
    amount, unit = float(size), "bytes"
    for larger in ("KiB", "MiB", "GiB"):
        if amount < 1024:
            break
        amount, unit = amount / 1024, larger
    text = f"{amount:.1f}".removesuffix(".0")
    return f"{text} {unit}"


_EXPECTED_TOP = "a lifecycle is a mapping with 'lifecycle', 'states', 'events' and 'transitions'"


def _refuse_tabs(text: str, file: str) -> None:
    # YAML forbids tabs in indentation; PyYAML's own message for them is cryptic.
    problems = []
    for match in _TAB_INDENT.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        problems.append(
            Problem(
                "LC105",
                "a tab is used for indentation",
                file,
                line,
                match.end() - match.start(),
                hint="indent with spaces",
            )
        )
        if len(problems) >= 20:
            break
    if problems:
        raise YamlProblems(problems)


def _character_problem(error: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    position = min(error.position, len(text))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return Problem(
        "LC114",
        f"the character U+{error.character:04X} is not allowed in YAML",
        file,
        line,
        column,
        hint="remove it, or write it as an escape inside double quotes",
    )


def _not_a_mapping(node: Node, file: str) -> Problem:
    kind = "a list" if isinstance(node, SequenceNode) else f"the value {node.value!r}"
    mark = node.start_mark
    return Problem(
        "LC106",
        f"the top level is {kind}, not a mapping",
        file,
        mark.line + 1,
        mark.column + 1,
        hint=_EXPECTED_TOP,
    )


def _parse_problem(exc: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "the YAML cannot be read"
    if isinstance(exc, yaml.composer.ComposerError) and "single document" in (exc.context or ""):
        return Problem(
            "LC107",
            "the source holds more than one YAML document",
            file,
            line,
            column,
            hint="keep one lifecycle per file; remove the '---' or '...' separator",
        )
    hint = "check the indentation and quoting near this place"
    if exc.context:
        hint = f"{exc.context}; {hint}"
    return Problem("LC101", f"YAML syntax error: {problem}", file, line, column, hint=hint)


class _PositionLoader(yaml.SafeLoader):
    """A safe loader that refuses aliases and deep nesting while composing."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):
            event = self.get_event()
            # Expanding aliases can blow a small file up exponentially; refuse them outright.
            raise _Refused(
                "LC108",
                f"the alias *{event.anchor} is not allowed",
                event.start_mark,
                "write the value out in full; anchors and aliases are not supported",
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise _Refused(
                    "LC109",
                    f"the nesting is deeper than {MAX_DEPTH} levels",
                    event.start_mark,
                    "a lifecycle needs only a few levels",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Refused(yaml.MarkedYAMLError):
    def __init__(self, code: str, message: str, mark: Any, hint: str) -> None:
        super().__init__(problem=message, problem_mark=mark)
        self.code = code
        self.hint = hint

    def as_problem(self, file: str) -> Problem:
        mark = self.problem_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return Problem(self.code, self.problem or "", file, line, column, hint=self.hint)


class _Converter:
    """Nodes to plain data, recording positions and collecting duplicate keys."""

    def __init__(self, loader: _PositionLoader, document: Document) -> None:
        self.loader = loader
        self.document = document
        self.problems: list[Problem] = []

    def convert(self, node: Node, path: Path) -> Any:
        try:
            data = self._node(node, path)
        except _Refused as exc:
            self._add(exc.code, exc.problem or "", exc.problem_mark, exc.hint)
        if self.problems:
            raise YamlProblems(self.problems)
        return data

    def _add(self, code: str, message: str, mark: Any, hint: str = "", path: Path = ()) -> None:
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        where = format_path(path)
        self.problems.append(Problem(code, message, self.document.file, line, column, where, hint))

    def _node(self, node: Node, path: Path) -> Any:
        self.document.values[path] = _mark(node)
        handlers: dict[type, Callable[[Any, Path], Any]] = {
            MappingNode: self._mapping,
            SequenceNode: self._sequence,
        }
        handler = handlers.get(type(node), self._scalar)
        return handler(node, path)

    def _mapping(self, node: MappingNode, path: Path) -> dict[str, Any]:
        self._check_tag(node, _MAP_TAG)
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key is None:
                continue
            if key in result:
                self._duplicate(key, key_node, first_line[key])
                continue
            first_line[key] = key_node.start_mark.line + 1
            self.document.keys[(*path, key)] = _mark(key_node)
            result[key] = self._node(value_node, (*path, key))
        return result

    def _sequence(self, node: SequenceNode, path: Path) -> list[Any]:
        self._check_tag(node, _SEQ_TAG)
        return [self._node(item, (*path, index)) for index, item in enumerate(node.value)]

    def _scalar(self, node: ScalarNode, path: Path) -> Any:
        self.document.nodes[path] = node
        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:
            self._add("LC110", _tag_message(node.tag), node.start_mark, _NO_TAGS, path)
        except (ValueError, OverflowError) as exc:
            # Python refuses some texts YAML calls numbers, such as a 5000-digit integer.
            self._add("LC111", _unreadable(node.value, exc), node.start_mark, _QUOTE_IT, path)
        return None

    def _key(self, node: Node) -> str | None:
        if isinstance(node, ScalarNode) and node.tag in (_STR_TAG, *_implicit_tags(node)):
            return str(node.value)
        self._add(
            "LC112",
            "a mapping key must be plain text",
            node.start_mark,
            "write the key as a name, such as 'new' or 'ship'",
        )
        return None

    def _duplicate(self, key: str, node: Node, first: int) -> None:
        line = node.start_mark.line + 1
        self._add(
            "LC113",
            f"the key {key!r} is given twice, on lines {first} and {line}",
            node.start_mark,
            "remove or rename one of them",
        )

    def _check_tag(self, node: Node, expected: str) -> None:
        if node.tag != expected:
            raise _Refused("LC110", _tag_message(node.tag), node.start_mark, _NO_TAGS)


_NO_TAGS = "write a plain YAML value (a text, number, boolean, list or mapping) with no tag"
_QUOTE_IT = "write a smaller number, or quote the value to mean it as a text"
_STANDARD_TAG = "tag:yaml.org,2002:"


def _tag_message(tag: str) -> str:
    # Show the tag as it was written: '!!python/tuple', not 'tag:yaml.org,2002:python/tuple'.
    written = "!!" + tag.removeprefix(_STANDARD_TAG) if tag.startswith(_STANDARD_TAG) else tag
    return f"the tag {written!r} is not supported"


def _unreadable(value: str, error: Exception) -> str:
    shown = value if len(value) <= 40 else value[:37] + "..."
    digits = sum(character.isdigit() for character in value)
    if "digits" in str(error):
        limit = sys.get_int_max_str_digits()
        return f"the number {shown!r} has {digits} digits, more than the {limit} that can be read"
    return f"the value {shown!r} cannot be read: {_first_line(str(error))}"


def _implicit_tags(node: ScalarNode) -> tuple[str, ...]:
    # A plain key such as 'on' or '1' resolves to bool or int; we keep its text instead.
    return (node.tag,) if node.style is None and node.tag.startswith("tag:yaml.org,2002:") else ()


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else type(text).__name__


def _mark(node: Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)

"""The bundled JSON Schema, and its errors turned into located problems.

Every schema error is reported, not the first: each becomes a :class:`Problem` at the
place the key or value was written, with what would be valid there.
"""

from __future__ import annotations

import datetime
import difflib
import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from engine.definition.damage import Damage, part_of
from engine.definition.yamlread import Document, Path, format_path
from engine.errors import Problem

_JSON_TYPES = {
    str: "a text",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    list: "a list",
    dict: "a mapping",
    type(None): "empty (null)",
}
_TYPE_NAMES = {
    "string": "a text",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a number",
    "array": "a list",
    "object": "a mapping",
    "null": "empty",
}

# What to write instead of nothing, for the keys people most often leave empty.
_EMPTY_HINT = "write the text this key needs, or remove the key"
_EMPTY_HINTS = {
    "label": (
        "a label is text shown to people: write one, such as 'label: Shipped', "
        "or remove the key to show the state's name"
    ),
    "description": "write a description, or remove the key",
    "meaning": "write what the state means, or remove the key",
    "target": "a transition needs the name of the state it leads to",
    "event": "a transition needs the name of the event that triggers it",
    "source": "write the name of the state the transition leaves",
}


@cache
def schema_text() -> str:
    """The schema exactly as bundled with the package."""
    return resources.files("engine.schema").joinpath("lifecycle.schema.json").read_text("utf-8")


@cache
def lifecycle_schema() -> dict[str, Any]:
    """The schema as data (do not modify it: it is shared)."""
    return dict(json.loads(schema_text()))


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(lifecycle_schema())


def schema_problems(document: Document) -> list[Problem]:
    """Every schema error in ``document``, located, in the order they were written."""
    return schema_check(document)[0]


def schema_check(document: Document) -> tuple[list[Problem], Damage]:
    """Every schema error in ``document``, located and in order, and the parts they spoil."""
    problems: list[Problem] = []
    spoiled: set[Path] = set()
    misnamed: set[str] = set()
    for error in _validator().iter_errors(document.data):
        problems.extend(_explain(error, document))
        spoiled.update(part_of(path) for path in _faulty_paths(error))
        if "propertyNames" in error.absolute_schema_path and error.absolute_path:
            misnamed.add(str(error.absolute_path[0]))
    problems.sort(key=lambda p: (p.line, p.column, p.code, p.message))
    return problems, Damage(frozenset(spoiled), frozenset(misnamed))


def _faulty_paths(error: ValidationError) -> list[Path]:
    """Where the fault lies: an unknown or missing key is the fault, not the mapping holding it."""
    path: Path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        known = error.schema.get("properties", {})
        return [(*path, key) for key in error.instance if key not in known]
    if error.validator == "required":
        return [(*path, key) for key in error.validator_value if key not in error.instance]
    if "propertyNames" in error.absolute_schema_path:
        return [(*path, error.instance)]
    return [path]


def _explain(error: ValidationError, document: Document) -> list[Problem]:
    path: Path = tuple(error.absolute_path)
    kind = error.validator
    if kind == "additionalProperties":
        return _unknown_keys(error, document, path)
    if kind == "required":
        return [_missing_key(error, document, path)]
    if "propertyNames" in error.absolute_schema_path:
        return [_bad_name(error, document, (*path, error.instance))]
    if kind in ("anyOf", "oneOf"):
        return _explain_choice(error, document, path)
    if kind == "type":
        return [_wrong_type(error.instance, _expected(error.validator_value), document, path)]
    return [_other(error, document, path)]


def _problem(code: str, message: str, document: Document, path: Path, hint: str = "", *,
             key: bool = False) -> Problem:  # fmt: skip
    mark = document.mark(path, key=key)
    where = format_path(path)
    return Problem(code, message, document.file, mark.line, mark.column, where, hint)


def _unknown_keys(error: ValidationError, document: Document, path: Path) -> list[Problem]:
    allowed = sorted(error.schema.get("properties", {}))
    problems = []
    for key in error.instance:
        if key in allowed:
            continue
        hint = f"valid keys here: {', '.join(allowed)}"
        close = difflib.get_close_matches(str(key), allowed, n=1)
        if close:
            hint = f"did you mean {close[0]!r}? {hint}"
        message = f"unknown key {key!r}"
        problems.append(_problem("LC201", message, document, (*path, key), hint, key=True))
    return problems


def _missing_key(error: ValidationError, document: Document, path: Path) -> Problem:
    missing = [k for k in error.validator_value if k not in error.instance]
    name = missing[0] if missing else str(error.validator_value)
    message = f"the key {name!r} is missing"
    return _problem("LC202", message, document, path, f"add '{name}:'", key=True)


def _bad_name(error: ValidationError, document: Document, path: Path) -> Problem:
    message = f"{error.instance!r} is not a valid name"
    hint = "a name uses letters, digits, '_', '-' and '.', and starts with a letter, digit or '_'"
    return _problem("LC206", message, document, path, hint, key=True)


def _explain_choice(error: ValidationError, document: Document, path: Path) -> list[Problem]:
    # A value that may be written several ways (a name, or a list of names): when no way
    # has the value's type, say which types would do; otherwise explain the errors of the
    # way whose type fits.
    fitting = [errors for errors in _branches(error) if not any(map(_type_mismatch, errors))]
    if len(fitting) == 1:
        return [p for sub in fitting[0] for p in _explain(sub, document)]
    if fitting:
        return _explain(best_match(error.context or ()), document)
    return [_wrong_type(error.instance, _expected(_types_wanted(error)), document, path)]


def _branches(error: ValidationError) -> list[list[ValidationError]]:
    by_branch: dict[Any, list[ValidationError]] = {}
    for sub in error.context or ():
        by_branch.setdefault(sub.relative_schema_path[0], []).append(sub)
    return list(by_branch.values())


def _type_mismatch(error: ValidationError) -> bool:
    """Whether ``error`` says the value itself (not a part of it) has the wrong type."""
    if error.relative_path:
        return False
    if error.validator == "type":
        return True
    if error.validator in ("anyOf", "oneOf"):
        return all(any(map(_type_mismatch, errors)) for errors in _branches(error))
    return False


def _types_wanted(error: ValidationError) -> list[str]:
    if error.validator == "type":
        return [str(t) for t in _as_list(error.validator_value)]
    return [t for sub in error.context or () if not sub.relative_path for t in _types_wanted(sub)]


def _wrong_type(value: Any, expected: str, document: Document, path: Path) -> Problem:
    node = document.nodes.get(path)
    if node is not None and node.style is None and "a text" in expected and not node.value:
        # Nothing after the colon: YAML reads that as null, but the key wants its text.
        key = path[-1] if path else ""
        message = f"the value of {key!r} is empty (YAML reads it as null), not a text"
        return _problem("LC204", message, document, path, _EMPTY_HINTS.get(key, _EMPTY_HINT))
    if node is not None and node.style is None and "a text" in expected:
        # YAML 1.1 read a plain word such as 'on', 'no', '1.10' or '~' as something else.
        message = f"{node.value!r} is read by YAML as {_describe(value)}, not as a text"
        hint = f"quote it to mean the text: '{node.value}'"
        return _problem("LC204", message, document, path, hint)
    message = f"{_short(value)} is not {expected}"
    return _problem("LC203", message, document, path, f"write {expected} here")


def _other(error: ValidationError, document: Document, path: Path) -> Problem:
    kind, value, expected = error.validator, error.instance, error.validator_value
    if kind in ("enum", "const"):
        choices = ", ".join(repr(v) for v in _as_list(expected))
        close = difflib.get_close_matches(str(value), [str(v) for v in _as_list(expected)], n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        return _problem("LC205", f"{value!r} is not allowed", document, path, hint + choices)
    if kind == "pattern" and "smhd" in str(expected):
        hint = "write seconds as a number, or a text such as 90s, 15m, 1h or 15d"
        return _problem("LC207", f"{value!r} is not a duration", document, path, hint)
    if kind in ("pattern", "maxLength"):
        return _bad_name(error, document, path)
    if kind in ("minimum", "minItems"):
        return _problem("LC208", f"{_short(value)} is too small", document, path, error.message)
    return _problem("LC209", error.message, document, path)


def _expected(types: Any) -> str:
    names = [_TYPE_NAMES.get(t, t) for t in dict.fromkeys(_as_list(types))]
    return " or ".join(names) if names else "another value"


def _describe(value: Any) -> str:
    if isinstance(value, datetime.date):
        return f"a date {value.isoformat()}"
    for kind, name in _JSON_TYPES.items():
        if type(value) is kind:
            return name if kind is type(None) else f"{name} {_short(value)}"
    kind = type(value).__name__
    article = "an" if kind[:1] in "aeiou" else "a"
    return f"{article} {kind} {_short(value)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]

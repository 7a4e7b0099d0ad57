"""Reading single fields of JSON data, with messages that name the field's path."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from engine.errors import IntakeError


def text(value: Any, path: str) -> str:
    """A string field; null counts as missing and reads as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise IntakeError(f"{path} is {value!r}; expected a string")


def loose_text(value: Any, path: str) -> str:
    """A string field of a cart's raw payload, where numbers stand for codes and zips."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return text(value, path)


def quantity(value: Any, path: str, *, strict: bool = False) -> int:
    """A whole, non-negative quantity; raw payloads may give it as a numeric string."""
    number: Any = value
    if isinstance(value, str) and not strict:
        try:
            number = float(value)
        except ValueError:
            number = None
    if isinstance(number, float) and number.is_integer():
        number = int(number)

    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise IntakeError(f"{path} is {value!r}; expected a whole number of 0 or more")
    return number


def list_of(value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise IntakeError(f"{path} is {kind_of(value)}; expected a list")
    return value


def kind_of(value: Any) -> str:
    """A short description of a JSON value, for messages."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return f"{name} ({_short(value)})"
    if value is None:
        return "null"
    return f"{type(value).__name__} {_short(value)}"


def _short(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def unencodable(value: Any, path: str) -> str | None:
    """The path of the first string (or key) in ``value`` that UTF-8 cannot hold, if any.

    JSON lets a line spell a lone surrogate such as ``"\\ud800"``; Python reads it into a
    string that cannot be written out again, so it is refused on the way in.
    """
    # A stack, not recursion: the data may nest as deeply as the JSON reader allowed.
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str) and not _encodes(item):
            return where
        if isinstance(item, dict):
            for key, inner in item.items():
                if isinstance(key, str) and not _encodes(key):
                    return f"{where} (a key)"
                stack.append((inner, f"{where}.{key}"))
        elif isinstance(item, list | tuple):
            stack.extend((inner, f"{where}[{index}]") for index, inner in enumerate(item))
    return None


def json_problem(value: Any, path: str) -> str | None:
    """What keeps ``value`` from being stored as strict JSON and read back the same, if anything.

    Reports the first of: a key that is not text (JSON would turn it into text), a string
    UTF-8 cannot hold, NaN or Infinity, or a value of a type JSON does not have.
    """
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if not _encodes(item):
                return f"{where} is not valid Unicode (it holds a lone surrogate)"
        elif isinstance(item, Mapping):
            for key, inner in item.items():
                if not isinstance(key, str):
                    return f"{where} has the key {key!r}, which is not text"
                if not _encodes(key):
                    return f"{where} has a key that is not valid Unicode (a lone surrogate)"
                stack.append((inner, f"{where}.{key}"))
        elif isinstance(item, list | tuple):
            stack.extend((inner, f"{where}[{index}]") for index, inner in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            return f"{where} is {item!r}, which JSON cannot hold"
        elif item is not None and not isinstance(item, bool | int | float):
            return f"{where} is a {type(item).__name__}, which JSON cannot hold"
    return None


def control_character(text: str) -> str | None:
    """The first ASCII control character (U+0000-U+001F, U+007F) in ``text``, if any."""
    return next((char for char in text if char < " " or char == "\x7f"), None)


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

"""Reading single fields of JSON data, with messages that name the field's path."""

from __future__ import annotations

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

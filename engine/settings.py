"""Account settings: check what an account supplies against what the definition declares.

Each account (merchant) supplies its own values; the definition declares the names,
types and defaults. An unknown name or a value of the wrong type is a SettingsError
naming the setting; a missing one takes the declared default.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.definition.model import Definition, Setting
from engine.definition.yamlread import YamlProblems, read_yaml
from engine.errors import IntakeError, SettingsError
from engine.intake.events import decode_json

# bool is a subclass of int in Python; a setting typed integer must not take True.
_CHECKS: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "object": lambda v: isinstance(v, Mapping),
    "array": lambda v: isinstance(v, list | tuple),
}


def resolve_settings(
    definition: Definition, supplied: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Every declared setting with the account's value or the default; bad values raise."""
    if supplied is None:
        supplied = {}
    if not isinstance(supplied, Mapping):
        raise SettingsError(f"settings must be a mapping of names to values, not {supplied!r}")

    for name in supplied:
        if name not in definition.settings:
            raise SettingsError(_unknown(name, definition), setting=name)

    resolved: dict[str, Any] = {}
    for name, setting in definition.settings.items():
        if name in supplied:
            resolved[name] = _checked(setting, supplied[name], definition)
        else:
            # A copy, so that no account can change another's default through a guard.
            resolved[name] = copy.deepcopy(setting.default)
    return resolved


def load_settings_file(path: str | Path) -> dict[str, Any]:
    """Read account settings from a JSON or YAML file holding one mapping."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(
            f"cannot read the settings file {str(path)!r}: {exc.strerror}"
        ) from None
    except UnicodeDecodeError as exc:
        raise SettingsError(
            f"the settings file {str(path)!r} is not UTF-8 text: byte "
            f"{exc.object[exc.start]:#04x} at offset {exc.start}; save it as UTF-8"
        ) from None

    # The same strict readers as event logs and definitions: no duplicate keys, keys kept
    # as the text written (never a YAML 1.1 boolean), no aliases.
    try:
        if path.suffix == ".json":
            data = decode_json(text, "the text")
        else:
            data = read_yaml(text, str(path)).data
    except IntakeError as exc:
        raise SettingsError(f"{path}: {exc}") from None
    except YamlProblems as exc:
        # The reader's hint for a top level that is not a mapping speaks of lifecycles.
        problems = [p for p in exc.problems if p.code != "LC106"]
        if not problems:
            raise SettingsError(f"{path}: settings must be a mapping of names to values") from None
        raise SettingsError("\n".join(str(problem) for problem in problems)) from None

    if not isinstance(data, dict):
        raise SettingsError(f"{path}: settings must be a mapping of names to values, not {data!r}")
    return data


def _checked(setting: Setting, value: Any, definition: Definition) -> Any:
    check = _CHECKS.get(setting.type)
    if check is not None and not check(value):
        where = f"{setting.location.file}:{setting.location.line}"
        raise SettingsError(
            f"setting {setting.name!r} must be of type {setting.type}, not {value!r} "
            f"(declared at {where} in lifecycle {definition.name!r})",
            setting=setting.name,
        )
    return value


def _unknown(name: str, definition: Definition) -> str:
    known = list(definition.settings)
    message = f"unknown setting {name!r}: lifecycle {definition.name!r} does not declare it"
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"{message}; did you mean {close[0]!r}?"
    return f"{message}; it declares " + (", ".join(repr(k) for k in known) or "no settings")

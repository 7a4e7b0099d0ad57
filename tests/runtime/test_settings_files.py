"""Settings files are read as strictly as definitions and event logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import SettingsError, load
from engine.settings import load_settings_file, resolve_settings

CASES = {
    "yaml-boolean-key.yaml": ("on: 1\n", "unknown setting 'on'"),
    "duplicate.json": ('{"accept_blank_tracking": true, "accept_blank_tracking": false}', "twice"),
    "duplicate.yaml": ("accept_blank_tracking: true\naccept_blank_tracking: false\n", "LC113"),
    "alias.yaml": ("a: &x 1\nb: *x\n", "alias"),
    "list.yaml": ("- 1\n", "mapping of names to values"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_settings_file_is_a_settings_error(tmp_path: Path, name: str) -> None:
    text, expected = CASES[name]
    path = tmp_path / name
    path.write_text(text, "utf-8")
    lifecycle = load(Path(__file__).parents[2] / "definitions" / "order.yaml")

    with pytest.raises(SettingsError, match=expected):
        resolve_settings(lifecycle.definition, load_settings_file(path))


@pytest.mark.parametrize("supplied", [[], "", 0], ids=["list", "empty-text", "zero"])
def test_settings_that_are_not_a_mapping_are_refused(supplied: object) -> None:
    lifecycle = load(Path(__file__).parents[2] / "definitions" / "order.yaml")

    with pytest.raises(SettingsError, match="mapping"):
        resolve_settings(lifecycle.definition, supplied)  # type: ignore[arg-type]

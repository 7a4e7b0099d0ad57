"""The README's Python example runs as written, and does what its comments say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT


def python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text("utf-8")
    return re.findall(r"```python\n(.*?)```", text, re.DOTALL)


def test_the_readme_has_its_python_example() -> None:
    assert len(python_blocks()) == 1


def test_the_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "definitions").symlink_to(ROOT / "definitions")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}

    exec(compile(python_blocks()[0], "README.md", "exec"), namespace)

    engine = namespace["engine"]
    order = engine.get("1001")  # type: ignore[attr-defined]
    assert order.state == "cancel_sending"
    assert (tmp_path / "lifecycle.db").is_file()
    # The WMS call was bound to New, which the order left before dispatch: dropped.
    kinds = [entry.kind for entry in engine.history("1001")]  # type: ignore[attr-defined]
    assert "hook_dropped" in kinds
    engine.close()  # type: ignore[attr-defined]

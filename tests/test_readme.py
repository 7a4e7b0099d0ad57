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

    # Run again on the same database: the idempotency keys make it a no-op.
    exec(compile(python_blocks()[0], "README.md", "exec"), namespace)
    again = namespace["engine"]
    assert again.get("1001").version == order.version  # type: ignore[attr-defined]
    again.close()  # type: ignore[attr-defined]


def test_the_validate_example_is_what_validate_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from engine.cli import main

    text = (ROOT / "definitions" / "order.yaml").read_text("utf-8")
    broken = text.replace("    label: New\n", "    lable: New\n", 1)
    broken = broken.replace("    target: canceled\n", "    target: canceld\n")
    (tmp_path / "order.yaml").write_text(broken, "utf-8")
    monkeypatch.chdir(tmp_path)

    assert main(["validate", "order.yaml"]) == 1

    readme = (ROOT / "README.md").read_text("utf-8")
    shown = re.search(r"```\n(order\.yaml:42:5: .*?)```", readme, re.DOTALL)
    assert shown is not None
    assert capsys.readouterr().out == shown[1]


def test_ci_runs_the_readme_test_command_as_written() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    command = re.search(r"Run the tests[^\n]*\n\n```sh\n(.+?)\n```", readme)
    assert command is not None

    ci_lines = (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
    assert command[1] in ci_lines
    assert "pytest" in command[1]

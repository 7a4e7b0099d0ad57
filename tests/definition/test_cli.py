"""The 'validate' and 'schema' commands: output, exit codes and the JSON report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main

BROKEN = Path(__file__).parent / "broken"


def test_validate_prints_each_problem_with_its_place(capsys: pytest.CaptureFixture[str]) -> None:
    path = BROKEN / "many_problems_at_once.yaml"

    assert main(["validate", str(path)]) == 1

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"{path}:33:14: LC305 unknown channel 'cart' (at hooks.push.channel); "
        "declared channels: wms"
    )
    assert [line.split(": ")[1].split()[0] for line in lines[:-1]] == ["LC305", "LC317", "LC301"]
    assert lines[-1] == "3 problems in 1 of 1 file"


def test_validate_reports_every_file(
    order_definition: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = BROKEN / "unknown_channel.yaml"

    assert main(["validate", str(order_definition), str(broken)]) == 1

    out = capsys.readouterr().out
    assert f"{order_definition}: ok" in out
    assert f"{broken}:33:14: LC305 unknown channel 'cart'" in out
    assert out.rstrip().endswith("1 problem in 1 of 2 files")


def test_validate_json_is_a_stable_document(
    order_definition: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = BROKEN / "unknown_guard.yaml"

    assert main(["validate", "--format", "json", str(order_definition), str(broken)]) == 1

    report = json.loads(capsys.readouterr().out)
    assert report["format"] == 1
    assert report["valid"] is False
    assert report["problem_count"] == 1
    assert [f["valid"] for f in report["files"]] == [True, False]
    assert report["files"][1]["problems"] == [
        {
            "file": str(broken),
            "line": 43,
            "column": 20,
            "code": "LC304",
            "message": "unknown guard 'steady'",
            "path": "transitions[1].guard[1]",
            "hint": "did you mean 'ready'? declared guards: ready",
        }
    ]


def test_validate_a_missing_file_is_a_problem_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nothing.yaml"

    assert main(["validate", str(missing), str(tmp_path)]) == 1

    out = capsys.readouterr().out
    assert f"{missing}:0:0: LC100 no such file {str(missing)!r}" in out
    assert f"{tmp_path}:0:0: LC100 {str(tmp_path)!r} is a directory" in out


@pytest.mark.parametrize(
    "argv",
    [["validate"], ["validate", "--format", "xml", "a.yaml"], ["schema", "extra"]],
    ids=["no-file", "bad-format", "extra-argument"],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)

    assert caught.value.code == 2
    assert "usage: lifecycle" in capsys.readouterr().err


def test_schema_prints_the_bundled_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0

    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:lifecycle-engine:schema:lifecycle:1"
    assert "transitions" in schema["required"]


def test_no_broken_file_makes_the_program_print_a_traceback() -> None:
    files = sorted(str(p) for p in BROKEN.glob("*.yaml") if p.name != "expected.yaml")

    result = subprocess.run(
        [sys.executable, "-m", "engine", "validate", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert [f["valid"] for f in report["files"]] == [False] * len(files)
    assert all(p["code"] != "LC900" for f in report["files"] for p in f["problems"])

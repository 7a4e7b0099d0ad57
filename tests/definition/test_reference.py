"""The README lists every problem code; docs/definition-reference.md every schema key."""

from __future__ import annotations

import re
from pathlib import Path

import engine.definition
from engine.definition.schema import lifecycle_schema
from tests.definition.test_schema_agreement import schema_properties

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = (ROOT / "docs" / "definition-reference.md").read_text("utf-8")
# The problem codes are listed in the README, where users look first.
CODES = (ROOT / "README.md").read_text("utf-8")
SOURCES = [
    *Path(engine.definition.__file__).parent.glob("*.py"),
    ROOT / "engine" / "lifecycle.py",
    ROOT / "engine" / "machine.py",
]
CODE = re.compile(r"\bLC\d{3}\b")


def test_every_code_raised_is_documented_and_every_documented_code_is_raised() -> None:
    raised = {code for path in SOURCES for code in CODE.findall(path.read_text("utf-8"))}
    documented = set(re.findall(r"^\| (LC\d{3}) \|", CODES, re.MULTILINE))

    assert raised == documented
    assert len(documented) >= 40


def test_every_schema_key_is_documented() -> None:
    keys = set(schema_properties(lifecycle_schema()))
    missing = {key for key in keys if f"`{key}`" not in REFERENCE}

    assert missing == set()

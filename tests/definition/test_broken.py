"""Each broken definition in broken/ yields exactly the problems pinned in broken/expected.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from engine.definition.loader import check_definition, load_definition
from engine.errors import DefinitionError

BROKEN = Path(__file__).parent / "broken"
EXPECTED: dict[str, list[str]] = yaml.safe_load((BROKEN / "expected.yaml").read_text("utf-8"))
CASES = sorted(p.name for p in BROKEN.glob("*.yaml") if p.name != "expected.yaml")


def test_every_broken_file_has_expectations() -> None:
    assert sorted(EXPECTED) == CASES
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", CASES, ids=CASES)
def test_broken_definition_yields_its_problems(name: str) -> None:
    definition, problems = check_definition(BROKEN / name)

    assert definition is None
    found = [f"{p.code} {p.line}:{p.column}" for p in problems]
    assert found == EXPECTED[name]
    assert all(p.file == str(BROKEN / name) for p in problems)
    assert all(p.message and not p.message.endswith(".") for p in problems)


@pytest.mark.parametrize("name", CASES[:5], ids=CASES[:5])
def test_loading_a_broken_definition_raises_with_every_problem(name: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_definition(BROKEN / name)

    codes = [f"{p.code} {p.line}:{p.column}" for p in caught.value.problems]
    assert codes == EXPECTED[name]

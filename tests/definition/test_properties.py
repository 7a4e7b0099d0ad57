"""Property tests: no text of any shape gets anything but a LifecycleError out of the loader."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.definition.loader import check_definition, load_definition
from engine.errors import LifecycleError

ORDER = (Path(__file__).resolve().parents[2] / "definitions" / "order.yaml").read_text("utf-8")
LINES = ORDER.splitlines(keepends=True)
SPECIALS = [
    *("&a ", "*a", "!!python/none ", "\t", "? ", ": ", "- ", "---\n", "{", "]", "'", '"'),
    *("|", ">", "%YAML 1.1\n", "~", "yes", "1.10", "2024-01-31", "\x00", "\ufeff", "\x85"),
]

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_only_lifecycle_errors(text: str) -> None:
    definition, problems = check_definition(text)

    assert (definition is None) == bool(problems)
    assert all(p.code != "LC900" for p in problems), problems
    with contextlib.suppress(LifecycleError):
        load_definition(text)


@FAST
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    assert_only_lifecycle_errors(text)


@FAST
@given(st.lists(st.integers(0, len(LINES) - 1), min_size=1, max_size=6, unique=True))
def test_order_with_lines_deleted(deleted: list[int]) -> None:
    text = "".join(line for index, line in enumerate(LINES) if index not in deleted)
    assert_only_lifecycle_errors(text)


@FAST
@given(st.integers(0, len(ORDER) - 2), st.integers(0, len(ORDER) - 2))
def test_order_with_characters_swapped(first: int, second: int) -> None:
    chars = list(ORDER)
    chars[first], chars[second] = chars[second], chars[first]
    assert_only_lifecycle_errors("".join(chars))


@FAST
@given(st.integers(0, len(ORDER)), st.sampled_from(SPECIALS))
def test_order_with_yaml_specials_inserted(position: int, special: str) -> None:
    assert_only_lifecycle_errors(ORDER[:position] + special + ORDER[position:])


@FAST
@given(st.integers(0, len(LINES) - 1), st.sampled_from(SPECIALS))
def test_order_with_a_line_replaced(index: int, special: str) -> None:
    indent = LINES[index][: len(LINES[index]) - len(LINES[index].lstrip())]
    text = "".join([*LINES[:index], indent + special + "\n", *LINES[index + 1 :]])
    assert_only_lifecycle_errors(text)

"""Reading rules: names stay as written, limits hold, sources are found."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from engine import load
from engine.definition.loader import check_definition, load_definition, read_source
from engine.definition.yamlread import MAX_BYTES
from engine.errors import DefinitionError

MINIMAL = """\
lifecycle: tiny
version: 1
states:
  {first}: {{label: First}}
  done: {{label: Done, final: {final}}}
events:
  start: {{}}
  finish: {{}}
transitions:
  - {{event: start, target: {target}}}
  - {{event: finish, source: {target}, target: done}}
"""


def tiny(first: str = "open", final: str = "true", target: str | None = None) -> str:
    return MINIMAL.format(first=first, final=final, target=target or first)


def codes(text: str) -> list[str]:
    return [p.code for p in check_definition(text)[1]]


@pytest.mark.parametrize("key", ["on", "off", "yes", "no", "1.10", "2024-01-31", "null", "y"])
def test_a_state_key_is_the_text_written(key: str) -> None:
    definition = load_definition(tiny(first=key, target=f"'{key}'"))

    assert list(definition.states) == [key, "done"]
    assert definition.initial_state.id == key


@pytest.mark.parametrize("word", ["on", "no", "1.10", "2024-01-31"])
def test_a_plain_name_that_yaml_reads_as_something_else_is_refused(word: str) -> None:
    assert codes(tiny(first=word, target=word)) == ["LC204", "LC204"]


@pytest.mark.parametrize(("written", "final"), [("yes", True), ("no", False), ("true", True)])
def test_a_boolean_value_is_read_as_yaml_1_1_reads_it(written: str, final: bool) -> None:
    text = tiny(final=written)
    if not final:
        # 'done' is then not final: it has no way out, and 'open' leads nowhere final.
        assert codes(text) == ["LC313", "LC312"]
        return
    assert load_definition(text).states["done"].final is final


def test_a_quoted_boolean_word_is_text_and_refused_as_a_boolean() -> None:
    assert codes(tiny(final="'yes'")) == ["LC203"]


@pytest.mark.parametrize("name", ["send", "model", "configuration", "run"])
def test_names_used_by_the_machine_library_load_fine(name: str) -> None:
    lifecycle = load(tiny(first=name))

    assert name in lifecycle.states
    assert lifecycle.definition.initial_state.id == name


def test_a_source_over_the_size_limit_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(tiny() + "#" * MAX_BYTES)

    definition, problems = check_definition(path)

    assert definition is None
    assert [(p.code, p.line) for p in problems] == [("LC102", 1)]
    # Just over the limit, rounded sizes would read alike; the exact counts are given.
    size = path.stat().st_size
    assert problems[0].message == (
        f"the source is {size:,} bytes; the limit is 2 MiB ({MAX_BYTES:,} bytes)"
    )


def test_a_big_file_is_measured_in_readable_units(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(tiny() + "#" * (3 * MAX_BYTES // 2 + 100_000))

    [problem] = check_definition(path)[1]

    assert problem.code == "LC102"
    assert problem.message == "the source is 3.1 MiB; the limit is 2 MiB"


@pytest.mark.parametrize("value", [5, 2.5, None, b"lifecycle: x", ["a.yaml"]])
def test_something_not_a_path_or_text_is_refused_without_a_traceback(
    value: object, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG), pytest.raises(DefinitionError) as caught:
        load(value)  # type: ignore[arg-type]

    [problem] = caught.value.problems
    assert problem.code == "LC100"
    assert problem.message == f"expected a path or YAML text, got {type(value).__name__} {value!r}"
    assert not [record for record in caplog.records if record.exc_info]


def test_a_path_like_object_is_read_as_a_path(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(tiny())

    class Where:
        def __fspath__(self) -> str:
            return str(path)

    assert load_definition(Where()).name == "tiny"  # type: ignore[arg-type]


def test_a_text_over_the_size_limit_is_refused() -> None:
    assert codes(tiny() + "#" * MAX_BYTES) == ["LC102"]


def test_a_bomb_of_aliases_is_refused_without_expanding() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 30)]

    assert codes("\n".join(lines)) == ["LC108"]


def test_read_source_tells_files_from_text(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(tiny())

    assert read_source(path) == (tiny(), str(path))
    assert read_source(str(path)) == (tiny(), str(path))
    assert read_source(tiny()) == (tiny(), "<string>")
    assert read_source("x" * 5000) == ("x" * 5000, "<string>")


def test_a_mistyped_file_name_is_reported_as_missing(tmp_path: Path) -> None:
    missing = str(tmp_path / "ordr.yaml")

    with pytest.raises(DefinitionError) as caught:
        load_definition(missing)

    [problem] = caught.value.problems
    assert (problem.code, problem.file) == ("LC100", missing)


def test_a_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + tiny().encode())

    assert load_definition(path).name == "tiny"


def test_locations_point_at_the_keys() -> None:
    definition = load_definition(tiny())

    assert (
        definition.states["done"].location.line,
        definition.states["done"].location.column,
    ) == (
        5,
        3,
    )
    assert definition.transitions[1].location.line == 11

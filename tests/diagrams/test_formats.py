"""Every format from every definition, and from definitions full of hostile names."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import engine
from engine.definition.model import Definition
from engine.diagrams import build_graph, render
from engine.diagrams.dot import to_dot
from engine.diagrams.mermaid import to_mermaid
from engine.diagrams.plantuml import to_plantuml
from tests.conftest import DEFINITIONS, require_program
from tests.diagrams.checks import all_lines, check_mermaid, check_plantuml, run_strict_dot
from tests.diagrams.nasty import nasty_definitions

DEFINITION_FILES = sorted(DEFINITIONS.glob("*.yaml"))
TEXT_FORMATS = ("dot", "mermaid", "plantuml")


def svg_text(svg: bytes) -> str:
    """All text Graphviz drew, decoded, one text element per line."""
    found = re.findall(r"<text[^>]*>(.*?)</text>", svg.decode("utf-8"), re.DOTALL)
    return "\n".join(html.unescape(item) for item in found)


@pytest.mark.parametrize("path", DEFINITION_FILES, ids=lambda p: p.name)
class TestEveryDefinition:
    def test_dot_renders_without_warnings_and_shows_every_label(self, path: Path) -> None:
        dot = require_program("dot")
        definition = engine.load(path).definition
        graph = build_graph(definition)

        drawn = svg_text(run_strict_dot(dot, to_dot(graph)))
        for line in all_lines(graph):
            assert line in drawn.splitlines()

    def test_mermaid_and_plantuml_read_back_to_the_same_labels(self, path: Path) -> None:
        graph = build_graph(engine.load(path).definition)
        check_mermaid(to_mermaid(graph), graph)
        check_plantuml(to_plantuml(graph), graph)

    @pytest.mark.parametrize("fmt", ["dot", "mermaid", "plantuml", "svg", "png", "pdf"])
    def test_output_is_byte_identical_across_renders(self, path: Path, fmt: str) -> None:
        if fmt in ("svg", "png", "pdf"):
            require_program("dot")
        first = render(engine.load(path), fmt, strict=True)
        second = render(engine.load(path), fmt, strict=True)
        assert first == second


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nasty_definitions())
def test_hostile_names_give_valid_mermaid_and_plantuml(definition: Definition) -> None:
    graph = build_graph(definition)
    check_mermaid(to_mermaid(graph), graph)
    check_plantuml(to_plantuml(graph), graph)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nasty_definitions())
def test_hostile_names_give_dot_that_graphviz_reads_without_warnings(
    definition: Definition,
) -> None:
    dot = require_program("dot")
    graph = build_graph(definition)

    drawn = svg_text(run_strict_dot(dot, to_dot(graph))).splitlines()
    # Graphviz draws each line of an HTML label as its own text element.
    stripped = {d.strip() for d in drawn}
    for line in all_lines(graph):
        assert line.strip() in stripped
    assert len(re.findall(r"^  s\d+ \[", to_dot(graph), re.MULTILINE)) == len(definition.states)


def test_reserved_words_never_become_node_ids() -> None:
    definition = next(iter([_single_state("end")]))
    for fmt in TEXT_FORMATS:
        output = render(definition, fmt)
        assert isinstance(output, str)
        assert re.search(r"\bs0\b", output)
        assert not re.search(r"^\s*end\b", output, re.MULTILINE)


def test_a_label_that_is_only_a_bracket_gives_dot_graphviz_reads() -> None:
    # Graphviz 2.43 rejected "<B>]</B>", the title of a state labelled "]".
    dot = require_program("dot")
    graph = build_graph(_single_state("]"))

    drawn = svg_text(run_strict_dot(dot, to_dot(graph))).splitlines()
    assert "]" in drawn


def _single_state(state_id: str) -> Definition:
    from engine.definition.model import State, Transition

    return Definition(
        name="graph",
        version=1,
        description="",
        states={state_id: State(state_id, state_id, state_id)},
        events={},
        transitions=(Transition("create", (), state_id),),
        guards={},
        hooks={},
        channels={},
        settings={},
        filters={},
    )

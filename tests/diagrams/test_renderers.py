"""Mermaid in a real browser and PlantUML by the real program, as CI runs them.

Both need tools a fresh machine lacks (.ci/diagrams.sh installs them): the tests skip
without them, and fail instead under LIFECYCLE_REQUIRE_TOOLS=1.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings

import engine
from engine.definition.model import Definition, Event, State, Transition
from engine.diagrams import build_graph
from engine.diagrams.graph import Graph
from engine.diagrams.mermaid import to_mermaid
from engine.diagrams.plantuml import to_plantuml
from engine.diagrams.text import WORD_JOINER
from tests.conftest import DEFINITIONS, require_program
from tests.diagrams.checks import all_lines
from tests.diagrams.mermaid_browser import MERMAID_JS, render_in_browser
from tests.diagrams.nasty import nasty_definitions


def sample_definitions(count: int) -> list[Definition]:
    """Every definition in the repository, then ``count`` generated hostile ones.

    The same ones on every run (derandomized), so that a failure here can be reproduced;
    the random search for new hostile text is the job of the property tests.
    """
    found = [engine.load(path).definition for path in sorted(DEFINITIONS.glob("*.yaml"))]

    @settings(max_examples=count, database=None, deadline=None, derandomize=True)
    @given(nasty_definitions())
    def collect(definition: Definition) -> None:
        found.append(definition)

    collect()
    return found


def squeeze(value: str) -> str:
    """Text without white space, and without the word joiner Mermaid labels may carry."""
    return re.sub(r"\s+", "", value).replace(WORD_JOINER, "")


def ring_definition(texts: tuple[str, ...]) -> Definition:
    """A ring of states titled with ``texts``; the arrow leaving each has its title as event."""
    ids = [f"state_{index}" for index in range(len(texts))]
    states = {i: State(i, label, api_value=i) for i, label in zip(ids, texts, strict=True)}
    transitions = tuple(
        Transition(name, (source,), target)
        for name, source, target in zip(texts, ids, ids[1:] + ids[:1], strict=True)
    )
    return Definition(
        name="ring",
        version=1,
        description="",
        states=states,
        events={name: Event(name) for name in texts},
        transitions=transitions,
        guards={},
        hooks={},
        channels={},
        settings={},
        filters={},
    )


def require_mermaid() -> str:
    """The chromium program, once the mermaid package is known to be there."""
    chromium = require_program("chromium")
    if not MERMAID_JS.is_file():
        if os.environ.get("LIFECYCLE_REQUIRE_TOOLS") == "1":
            pytest.fail(f"the mermaid package is missing: run .ci/diagrams.sh ({MERMAID_JS})")
        pytest.skip("the mermaid package is not installed; run .ci/diagrams.sh")
    return chromium


@pytest.mark.browser
def test_mermaid_renders_in_chromium_with_every_state_and_arrow(tmp_path: Path) -> None:
    chromium = require_mermaid()
    graphs = [build_graph(d) for d in sample_definitions(30)]
    results = render_in_browser(chromium, [to_mermaid(g) for g in graphs], tmp_path)

    assert len(results) == len(graphs)
    for graph, result in zip(graphs, results, strict=True):
        assert result["ok"], f"{result.get('error')}\n{to_mermaid(graph)}"
        assert result["nodes"] == len(graph.nodes) + graph.has_start
        assert result["edges"] == len(graph.edges)

        drawn = squeeze(result["text"])
        for line in all_lines(graph):
            assert squeeze(line) in drawn, f"{line!r} is not drawn"


# Before decoding "#NN;" codes, Mermaid drops the last ";" of a source line that holds
# "style" or "classDef", later a ":" and, with no space between, a "#"; that once broke the
# line's last code.
STYLE_LOOKALIKES = ('style:a"b"', "x classDef:#c; d", "⇢ style: node if:[y]")


@pytest.mark.browser
def test_mermaid_draws_style_lookalikes_as_written(tmp_path: Path) -> None:
    chromium = require_mermaid()
    graph = build_graph(ring_definition(STYLE_LOOKALIKES))
    assert set(STYLE_LOOKALIKES) <= set(all_lines(graph))  # shown whole, not wrapped

    (result,) = render_in_browser(chromium, [to_mermaid(graph)], tmp_path)
    assert result["ok"], result.get("error")
    drawn = squeeze(result["text"])
    for line in STYLE_LOOKALIKES:
        # Twice: once as a state's title, once as the label of the arrow leaving it.
        assert drawn.count(squeeze(line)) >= 2, f"{line!r} is not drawn twice"
    for state_id in graph.node_ids:
        assert squeeze(f"id: {state_id}") in drawn, f"the id of {state_id!r} is not drawn"


def plantuml_drawn(plantuml: str, graph: Graph) -> str:
    """Every text the real plantuml drew for ``graph``, without white space."""
    completed = subprocess.run(
        [plantuml, "-tsvg", "-failfast2", "-charset", "UTF-8", "-pipe"],
        input=to_plantuml(graph).encode("utf-8"),
        capture_output=True,
        timeout=120,
    )
    svg = completed.stdout.decode("utf-8", "replace")
    # PlantUML reports some failures inside the picture with exit status 0.
    assert completed.returncode == 0, completed.stderr
    assert "Syntax Error" not in svg and "An error has occured" not in svg, svg[-2000:]

    # Only text elements: the picture also carries its whole source in a closing comment.
    drawn = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.DOTALL)
    return squeeze(html.unescape("".join(drawn)))


@pytest.mark.plantuml
def test_plantuml_reads_every_diagram_without_error() -> None:
    plantuml = require_program("plantuml")

    for definition in sample_definitions(15):
        graph = build_graph(definition)
        drawn = plantuml_drawn(plantuml, graph)
        for line in all_lines(graph):
            assert squeeze(line) in drawn, f"{line!r} is not drawn"


# Lines whose first characters plantuml once dropped: creole reads a "*" that opens a line
# as a bullet and ".." as a dotted separator, and an arrow's label lost a leading "-".
LINE_OPENERS = ("*X}", "*~Ω]]&\\>$", "-Yé]/?", "- a", "..a..", "....")


@pytest.mark.plantuml
def test_plantuml_draws_creole_line_openers_as_written() -> None:
    plantuml = require_program("plantuml")
    graph = build_graph(ring_definition(LINE_OPENERS))
    assert set(LINE_OPENERS) <= set(all_lines(graph))  # shown whole, not wrapped

    drawn = plantuml_drawn(plantuml, graph)
    for line in LINE_OPENERS:
        # Twice: once as a state's title, once as the label of the arrow leaving it.
        assert drawn.count(squeeze(line)) >= 2, f"{line!r} is not drawn twice"

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
from engine.definition.model import Definition
from engine.diagrams import build_graph
from engine.diagrams.mermaid import to_mermaid
from engine.diagrams.plantuml import to_plantuml
from engine.diagrams.text import WORD_JOINER
from tests.conftest import DEFINITIONS, require_program
from tests.diagrams.checks import all_lines, node_lines
from tests.diagrams.mermaid_browser import MERMAID_JS, render_in_browser
from tests.diagrams.nasty import nasty_definitions


def sample_definitions(count: int) -> list[Definition]:
    """Every definition in the repository, then ``count`` generated hostile ones."""
    found = [engine.load(path).definition for path in sorted(DEFINITIONS.glob("*.yaml"))]

    @settings(max_examples=count, database=None, deadline=None)
    @given(nasty_definitions())
    def collect(definition: Definition) -> None:
        found.append(definition)

    collect()
    return found


def squeeze(value: str) -> str:
    """Text without white space, and without the word joiner Mermaid labels may carry."""
    return re.sub(r"\s+", "", value).replace(WORD_JOINER, "")


@pytest.mark.browser
def test_mermaid_renders_in_chromium_with_every_state_and_arrow(tmp_path: Path) -> None:
    chromium = require_program("chromium")
    if not MERMAID_JS.is_file():
        if os.environ.get("LIFECYCLE_REQUIRE_TOOLS") == "1":
            pytest.fail(f"the mermaid package is missing: run .ci/diagrams.sh ({MERMAID_JS})")
        pytest.skip("the mermaid package is not installed; run .ci/diagrams.sh")

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


@pytest.mark.plantuml
def test_plantuml_reads_every_diagram_without_error(tmp_path: Path) -> None:
    plantuml = require_program("plantuml")

    for definition in sample_definitions(15):
        graph = build_graph(definition)
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

        drawn = squeeze(html.unescape(re.sub(r"<[^>]+>", "", svg)))
        for lines in node_lines(graph).values():
            for line in lines:
                assert squeeze(line) in drawn, f"{line!r} is not drawn"

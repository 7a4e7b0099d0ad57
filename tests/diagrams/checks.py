"""What a diagram must show, and structural checks of Mermaid and PlantUML text.

The checks read the output back: every line must have a known shape, labels must hold no
character that could end them, and the decoded labels must be exactly the wrapped text
the graph asked for. They catch escaping mistakes without the real renderers, which the
browser and plantuml tests add.
"""

from __future__ import annotations

import re
import subprocess

from engine.diagrams import text
from engine.diagrams.graph import Graph


def node_lines(graph: Graph) -> dict[str, list[str]]:
    """Node id -> every non-empty line its box shows."""
    shown = {}
    for node in graph.nodes:
        lines = text.wrap(node.title)
        for extra in (*node.details, *node.hooks):
            lines += text.wrap(extra)
        shown[node.id] = [line for line in lines if line]
    return shown


def edge_lines(graph: Graph) -> list[list[str]]:
    """For each arrow, every non-empty line its label shows."""
    shown = []
    for edge in graph.edges:
        lines = [edge.step_text]
        for label in edge.labels:
            lines += text.wrap(label.event)
            lines += text.wrap(label.guard) if label.guard else []
            lines += [line for hook in label.hooks for line in text.wrap(hook)]
        shown.append([line for line in lines if line])
    return shown


def all_lines(graph: Graph) -> list[str]:
    """Every non-empty line the diagram shows, boxes first, then arrows."""
    lines = [line for shown in node_lines(graph).values() for line in shown]
    return lines + [line for shown in edge_lines(graph) for line in shown]


_MERMAID_NODE = re.compile(r'^  (s\d+)(\(|\(\[|\(\(\(|\{\{)"([^"]*)"(\)|\]\)|\)\)\)|\}\})$')
_MERMAID_EDGE = re.compile(r'^  (start|s\d+) (-->|-\.->|==>)\|"([^"]*)"\| (s\d+)$')
_MERMAID_OTHER = re.compile(
    r'^(flowchart LR|  start\(\(" "\)\)|  classDef \w+ [\w:#,-]+|  class [\w,]+ \w+)$'
)


def mermaid_label_lines(label: str) -> list[str]:
    # A raw ":" would let Mermaid read "style: …#NN;" as a style and break the code.
    assert not re.search(r"[<>:]", re.sub(r"</?b>|<br>", "", label)), label
    plain = re.sub(r"</?b>", "", label)
    decoded = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), plain)
    decoded = decoded.replace(text.WORD_JOINER, "")
    return [line for line in decoded.split("<br>") if line]


def check_mermaid(source: str, graph: Graph) -> None:
    nodes, edges = {}, []
    for line in source.splitlines():
        if match := _MERMAID_NODE.match(line):
            nodes[match.group(1)] = mermaid_label_lines(match.group(3))
        elif match := _MERMAID_EDGE.match(line):
            edges.append(mermaid_label_lines(match.group(3)))
        else:
            assert _MERMAID_OTHER.match(line), f"unexpected Mermaid line {line!r}"

    assert nodes == node_lines(graph)
    assert edges == edge_lines(graph)


_PUML_STATE = re.compile(r'^state "([^"]*)" as (s\d+)(?: <<[a-z ]+>>)?$')
_PUML_DESCRIPTION = re.compile(r"^(s\d+) : (.*)$")
_PUML_EDGE = re.compile(r"^(\[\*\]|s\d+) (-->|-\[dashed\]->|-\[#1F6FEB,bold\]->) (s\d+) : (.*)$")
_PUML_OTHER = re.compile(
    r"^(@startuml|@enduml|hide empty description|skinparam state \{|\}|"
    r"  \w+(<<[a-z ]+>>)? #[0-9A-F]{6}|s\d+ --> \[\*\])$"
)
# Characters PlantUML would read as markup; creole markers when doubled or opening a line.
_PUML_RAW = re.compile(r'["\\$<>]|\*\*|//|--|__|\.\.|^\s*[*/\-_.]')


def plantuml_text_lines(value: str) -> list[str]:
    lines = value.split("\\n")
    for line in lines:
        coded = re.sub(r"<U\+[0-9A-F]{4,6}>", "·", line)
        assert not _PUML_RAW.search(coded), f"raw PlantUML markup in {line!r}"
    decoded = [re.sub(r"<U\+([0-9A-F]+)>", lambda m: chr(int(m.group(1), 16)), x) for x in lines]
    return [line for line in decoded if line]


def check_plantuml(source: str, graph: Graph) -> None:
    nodes: dict[str, list[str]] = {}
    edges = []
    for line in source.splitlines():
        if match := _PUML_STATE.match(line):
            nodes[match.group(2)] = plantuml_text_lines(match.group(1))
        elif match := _PUML_EDGE.match(line):
            edges.append(plantuml_text_lines(match.group(4)))
        elif match := _PUML_DESCRIPTION.match(line):
            nodes[match.group(1)] += plantuml_text_lines(match.group(2))
        else:
            assert _PUML_OTHER.match(line), f"unexpected PlantUML line {line!r}"

    assert nodes == node_lines(graph)
    assert edges == edge_lines(graph)


def run_strict_dot(dot: str, source: str, picture_format: str = "svg") -> bytes:
    """Run the real ``dot``; any warning or error fails the test."""
    completed = subprocess.run(
        [dot, f"-T{picture_format}"], input=source.encode("utf-8"), capture_output=True
    )
    stderr = completed.stderr.decode("utf-8", "replace")
    assert completed.returncode == 0 and not stderr, f"dot said: {stderr}"
    return completed.stdout

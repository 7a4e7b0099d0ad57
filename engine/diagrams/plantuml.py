"""PlantUML: a state diagram for documentation tools built on PlantUML.

States are declared with a quoted display name and a generated alias (``s0``, ``s1``…),
and every character PlantUML could read as markup is coded, so that no text from a
definition (``@enduml`` or ``state`` included) is ever read as PlantUML syntax.
"""

from __future__ import annotations

from engine.diagrams import text
from engine.diagrams.graph import START, Edge, Graph, Kind, Label, Node

# Stereotypes with fixed names carry each kind's colours (and name the kind in the box).
_STEREOTYPES = {
    Kind.INITIAL: "initial",
    Kind.END: "end state",
    Kind.FINAL: "final",
    Kind.ERROR: "error",
}

_SKIN = (
    "skinparam state {",
    "  BackgroundColor #FFFFFF",
    "  BorderColor #444444",
    "  BackgroundColor<<initial>> #E8F1FB",
    "  BorderColor<<initial>> #1A4F8B",
    "  BackgroundColor<<end state>> #E6F4EA",
    "  BorderColor<<end state>> #2E7D32",
    "  BackgroundColor<<final>> #EEEEEE",
    "  BackgroundColor<<error>> #FDECEA",
    "  BorderColor<<error>> #C62828",
    "  BackgroundColor<<current>> #FFF3B0",
    "  BorderColor<<current>> #1F6FEB",
    "}",
)


def to_plantuml(graph: Graph) -> str:
    """The PlantUML source of ``graph``, ending with a newline."""
    lines = ["@startuml", "hide empty description", *_SKIN]
    lines += [line for node in graph.nodes for line in _node(node)]
    lines += [_edge(edge) for edge in graph.edges]

    # UML draws a final state as an arrow into the end point.
    lines += [f"{node.id} --> [*]" for node in graph.nodes if node.kind is Kind.FINAL]
    lines.append("@enduml")
    return "\n".join(lines) + "\n"


def _display(lines: list[str]) -> str:
    # PlantUML's own line break; every backslash from the text itself is coded.
    return "\\n".join(text.plantuml(line) for line in lines)


def _node(node: Node) -> list[str]:
    stereotype = "current" if node.current else _STEREOTYPES.get(node.kind)
    tag = f" <<{stereotype}>>" if stereotype else ""
    lines = [f'state "{_display(text.wrap(node.title))}" as {node.id}{tag}']

    for detail in [*node.details, *node.hooks]:
        lines += [f"{node.id} : {text.plantuml(line)}" for line in text.wrap(detail)]
    return lines


def _edge(edge: Edge) -> str:
    source = "[*]" if edge.source == START else edge.source
    if edge.taken:
        arrow = "-[#1F6FEB,bold]->"
    elif edge.internal:
        arrow = "-[dashed]->"
    else:
        arrow = "-->"
    return f"{source} {arrow} {edge.target} : {_edge_label(edge.labels, edge.step_text)}"


def _edge_label(labels: tuple[Label, ...], step_text: str = "") -> str:
    lines = [step_text] if step_text else []
    for label in labels:
        lines += text.wrap(label.event)
        if label.guard:
            lines += text.wrap(label.guard)
        lines += [line for hook in label.hooks for line in text.wrap(hook)]
    return _display(lines)

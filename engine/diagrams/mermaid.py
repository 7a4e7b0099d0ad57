"""Mermaid: a flowchart that code hosts render inside Markdown.

A flowchart rather than a state diagram, because it has quoted labels (any text fits, with
``#NN;`` entity codes), a shape per kind of state and dashed arrows. Nodes are named
``s0``, ``s1``… and styled through classes with fixed names, so no text from a definition
is ever read as Mermaid syntax or as one of its reserved words.
"""

from __future__ import annotations

from engine.diagrams import text
from engine.diagrams.graph import START, Edge, Graph, Kind, Label, Node

# Opening and closing brackets of each kind's shape.
_SHAPES = {
    Kind.NORMAL: ("(", ")"),
    Kind.INITIAL: ("(", ")"),
    Kind.END: ("([", "])"),
    Kind.FINAL: ("(((", ")))"),
    Kind.ERROR: ("{{", "}}"),
}

_CLASSES = (
    "classDef kindInitial fill:#e8f1fb,stroke:#1a4f8b,stroke-width:2px",
    "classDef kindEnd fill:#e6f4ea,stroke:#2e7d32,stroke-width:3px",
    "classDef kindFinal fill:#eeeeee,stroke:#444444,stroke-width:3px",
    "classDef kindError fill:#fdecea,stroke:#c62828,stroke-width:2px,color:#7f1d1d",
    "classDef startPoint fill:#222222,stroke:#222222",
    "classDef current fill:#fff3b0,stroke:#1f6feb,stroke-width:4px",
    "classDef visited stroke:#1f6feb,stroke-width:3px",
)

_CLASS_OF_KIND = {
    Kind.INITIAL: "kindInitial",
    Kind.END: "kindEnd",
    Kind.FINAL: "kindFinal",
    Kind.ERROR: "kindError",
}


def to_mermaid(graph: Graph) -> str:
    """The Mermaid flowchart of ``graph``, ending with a newline."""
    lines = ["flowchart LR"]
    if graph.has_start:
        lines.append(f'  {START}((" "))')
    lines += [_node(node) for node in graph.nodes]
    lines += [_edge(edge) for edge in graph.edges]

    lines += [f"  {line}" for line in _CLASSES]
    lines += _class_lines(graph)
    return "\n".join(lines) + "\n"


def _label(lines: list[str]) -> str:
    return "<br>".join(text.mermaid(line) for line in lines)


def _node(node: Node) -> str:
    parts = [f"<b>{_label(text.wrap(node.title))}</b>"]
    parts += [_label(text.wrap(detail)) for detail in node.details]
    parts += [_label(text.wrap(hook)) for hook in node.hooks]

    opening, closing = _SHAPES[node.kind]
    return f'  {node.id}{opening}"{"<br>".join(parts)}"{closing}'


def _edge(edge: Edge) -> str:
    arrow = "==>" if edge.taken else "-.->" if edge.internal else "-->"
    label = _edge_label(edge.labels)
    if edge.steps:
        label = f"<b>{text.mermaid(edge.step_text)}</b><br>{label}"
    return f'  {edge.source} {arrow}|"{label}"| {edge.target}'


def _edge_label(labels: tuple[Label, ...]) -> str:
    parts = []
    for label in labels:
        part = [f"<b>{_label(text.wrap(label.event))}</b>"]
        if label.guard:
            part.append(_label(text.wrap(label.guard)))
        part += [_label(text.wrap(hook)) for hook in label.hooks]
        parts.append("<br>".join(part))
    return "<br>".join(parts)


def _class_lines(graph: Graph) -> list[str]:
    """``class`` statements, one per class, listing its nodes in definition order."""
    members: dict[str, list[str]] = {}
    if graph.has_start:
        members.setdefault("startPoint", []).append(START)
    for node in graph.nodes:
        if node.kind in _CLASS_OF_KIND:
            members.setdefault(_CLASS_OF_KIND[node.kind], []).append(node.id)
        # The order's own marks come last, so they win over the kind's colours.
    for node in graph.nodes:
        if node.current:
            members.setdefault("current", []).append(node.id)
        elif node.visited:
            members.setdefault("visited", []).append(node.id)
    return [f"  class {','.join(ids)} {name}" for name, ids in members.items()]

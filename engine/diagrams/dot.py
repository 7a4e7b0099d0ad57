"""Graphviz DOT: the source for the SVG, PNG and PDF pictures.

All text goes into HTML-like labels (``label=<…>``), where only entities are special, so
no text from a definition can end a string or start a keyword. Attribute values written
here are constants.
"""

from __future__ import annotations

from engine.diagrams import text
from engine.diagrams.graph import START, Edge, Graph, Kind, Label, Node

FONT = "Helvetica"
TAKEN_COLOUR = "#1f6feb"
CURRENT_FILL = "#fff3b0"

# How each kind of box looks; the error state gets a shape of its own as well as a colour,
# so that it is recognisable in greyscale print too.
_NODE_STYLE = {
    Kind.NORMAL: 'shape=box, style="rounded,filled", fillcolor="#ffffff", color="#444444"',
    Kind.INITIAL: (
        'shape=box, style="rounded,filled", fillcolor="#e8f1fb", color="#1a4f8b", penwidth=2'
    ),
    Kind.END: (
        'shape=box, style="rounded,filled", fillcolor="#e6f4ea", color="#2e7d32", peripheries=2'
    ),
    Kind.FINAL: 'shape=box, style="filled", fillcolor="#eeeeee", color="#444444", peripheries=2',
    Kind.ERROR: 'shape=octagon, style="filled", fillcolor="#fdecea", color="#c62828", penwidth=2',
}


def to_dot(graph: Graph) -> str:
    """The DOT source of ``graph``, ending with a newline."""
    lines = [
        "digraph lifecycle {",
        f'  graph [rankdir=LR, fontname="{FONT}", nodesep=0.5, ranksep=0.7, labelloc=t,',
        f"         label=<{_title(graph)}>];",
        f'  node [fontname="{FONT}", fontsize=12, margin="0.15,0.08"];',
        f'  edge [fontname="{FONT}", fontsize=9, color="#444444", arrowsize=0.8];',
    ]
    if graph.has_start:
        lines.append(
            f'  {START} [shape=circle, style=filled, fillcolor="#222222", color="#222222",'
            ' width=0.22, fixedsize=true, group=main, label=""];'
        )
    lines += [_node(node) for node in graph.nodes]

    # Final and end states sit together at the far end, away from the working states.
    closing = [node.id for node in graph.nodes if node.kind in (Kind.FINAL, Kind.END)]
    if closing:
        lines.append(f"  {{rank=sink; {'; '.join(closing)};}}")

    lines += _edges(graph.edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _title(graph: Graph) -> str:
    title = f"<B>{_lines(text.wrap(graph.title, 60))}</B>"
    if graph.order is not None:
        order = _lines(text.wrap(f"order {graph.order.order_id}", 60))
        title += f'<BR/><FONT POINT-SIZE="10">{order}</FONT>'
    return title


def _lines(lines: list[str]) -> str:
    # An empty text element is not valid in every Graphviz version: show a no-break space.
    return "<BR/>".join(text.html(line) or "&#160;" for line in lines)


def _node(node: Node) -> str:
    label = f"<B>{_lines(text.wrap(node.title))}</B>"
    if node.details:
        details = [line for detail in node.details for line in text.wrap(detail)]
        label += f'<BR/><FONT POINT-SIZE="9" COLOR="#555555">{_lines(details)}</FONT>'
    if node.hooks:
        hooks = [line for hook in node.hooks for line in text.wrap(hook)]
        label += f'<BR/><FONT POINT-SIZE="9" COLOR="#1a4f8b">{_lines(hooks)}</FONT>'

    style = _NODE_STYLE[node.kind]
    if node.main:
        style += ", group=main"  # Graphviz keeps the arrows inside one group straight
    if node.current:
        style += f', fillcolor="{CURRENT_FILL}", color="{TAKEN_COLOUR}", penwidth=3'
    elif node.visited:
        style += f', color="{TAKEN_COLOUR}", penwidth=2'
    return f"  {node.id} [{style}, label=<{label}>];"


# A thin blank line between a loop and its label. Graphviz sets a loop's label flush
# against the loop's outer edge, and below the box it lets the first line touch the curve.
_LOOP_GAP = '<FONT POINT-SIZE="5">&#160;</FONT>'


def _edges(edges: tuple[Edge, ...]) -> list[str]:
    # Loops on one box take turns above and below it, so their labels do not overlap.
    loops: dict[str, int] = {}
    lines = []
    for edge in edges:
        side = ""
        if edge.source == edge.target:
            side = ("n", "s")[loops.get(edge.source, 0) % 2]
            loops[edge.source] = loops.get(edge.source, 0) + 1
        lines.append(_edge(edge, side))
    return lines


def _edge(edge: Edge, loop_side: str = "") -> str:
    """One arrow; ``loop_side`` ("n" or "s") places a loop above or below its box."""
    label = _edge_label(edge.labels)
    if edge.steps:
        # The order's step numbers come first, so its path reads in order even on a revisit.
        steps = text.html(edge.step_text)
        label = f'<FONT COLOR="{TAKEN_COLOUR}"><B>{steps}</B></FONT><BR/>{label}'
    if loop_side == "n":
        label = f"{label}<BR/>{_LOOP_GAP}"
    elif loop_side == "s":
        label = f"{_LOOP_GAP}<BR/>{label}"
    attributes = [f"label=<{label}>"]
    tail, head = edge.source, edge.target
    if edge.backward:
        # Drawn from head to tail with the arrowhead turned, so it ranks like a forward arrow
        # and the main path stays in one direction.
        tail, head = head, tail
        attributes.append("dir=back")
    if edge.internal:
        attributes.append('style=dashed, color="#777777", fontcolor="#555555"')
    if edge.taken:
        attributes.append(f'color="{TAKEN_COLOUR}", penwidth=2.5')
    if loop_side:
        attributes.append(f"tailport={loop_side}, headport={loop_side}")
    return f"  {tail} -> {head} [{', '.join(attributes)}];"


def _edge_label(labels: tuple[Label, ...]) -> str:
    parts = []
    for label in labels:
        head = f"<B>{_lines(text.wrap(label.event))}</B>"
        if label.guard:
            head += f"<BR/>{_lines(text.wrap(label.guard))}"
        if label.hooks:
            hooks = [line for hook in label.hooks for line in text.wrap(hook)]
            head += f'<BR/><FONT COLOR="#1a4f8b">{_lines(hooks)}</FONT>'
        parts.append(head)
    return "<BR/>".join(parts)

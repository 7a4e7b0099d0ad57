"""Diagrams and docs of a lifecycle.

A :class:`~engine.diagrams.graph.Graph` is built once from the Definition; each format
module draws it: ``dot`` (Graphviz source, and through the ``dot`` program svg, png and
pdf), ``mermaid``, ``plantuml``, and ``markdown`` (a whole docs page). Output depends only
on the definition, so the same definition always gives byte-identical output.
"""

from __future__ import annotations

from pathlib import Path

from engine.definition.model import Definition
from engine.diagrams.dot import to_dot
from engine.diagrams.graph import Graph, OrderView, Step, build_graph
from engine.diagrams.markdown import definition_of, docs_page
from engine.diagrams.mermaid import to_mermaid
from engine.diagrams.plantuml import to_plantuml
from engine.diagrams.render import PICTURE_FORMATS, run_dot
from engine.errors import DiagramError
from engine.lifecycle import Lifecycle

FORMATS = ("svg", "png", "pdf", "dot", "mermaid", "plantuml")

# File name endings and the format each one means.
EXTENSIONS = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
    ".puml": "plantuml",
    ".plantuml": "plantuml",
}

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "Graph",
    "OrderView",
    "Step",
    "build_graph",
    "docs_page",
    "format_for_path",
    "is_binary",
    "render",
]


def render(
    lifecycle: Lifecycle | Definition,
    format: str,
    *,
    guards: bool = True,
    hooks: bool = True,
    order_view: OrderView | None = None,
    strict: bool = False,
) -> str | bytes:
    """Draw ``lifecycle`` in ``format``: text for dot, mermaid and plantuml, bytes otherwise.

    ``lifecycle`` may also be a bare Definition (one built in code, say): a diagram needs
    nothing that loading adds.

    ``guards`` and ``hooks`` hide those parts of the arrows and boxes when false;
    ``order_view`` highlights one order's current state and the steps it took. With
    ``strict``, a Graphviz warning is an error instead of a logged warning.
    """
    if format not in FORMATS:
        raise DiagramError(f"{format!r} is not a diagram format; choose one of {FORMATS}")

    graph = build_graph(
        definition_of(lifecycle), guards=guards, hooks=hooks, order_view=order_view
    )
    if format == "mermaid":
        return to_mermaid(graph)
    if format == "plantuml":
        return to_plantuml(graph)

    source = to_dot(graph)
    if format == "dot":
        return source
    return run_dot(source, format, strict=strict)


def is_binary(format: str) -> bool:
    """Whether ``format`` is written as bytes (png, pdf) rather than text."""
    return format in PICTURE_FORMATS and format != "svg"


def format_for_path(path: str | Path) -> str:
    """The format a file name's ending stands for, e.g. ``order.svg`` → ``svg``."""
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        endings = " ".join(EXTENSIONS)
        raise DiagramError(
            f"cannot tell the format from the file name {str(path)!r}; "
            f"use one of the endings {endings}, or give --format"
        )
    return EXTENSIONS[suffix]

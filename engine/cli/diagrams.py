"""Commands of the 'diagrams' group: ``diagram`` (a picture or its source) and ``docs``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine import diagrams
from engine.diagrams.orders import order_view
from engine.errors import DiagramError
from engine.lifecycle import load

EXIT_OK = 0
EXIT_USAGE = 2


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``diagram`` and ``docs`` commands."""
    diagram = subparsers.add_parser(
        "diagram",
        help="draw a lifecycle as svg, png, pdf, dot, mermaid or plantuml",
        description="Draw a lifecycle definition. The format is taken from the output "
        "file's ending unless --format is given; '-o -' writes a text format to stdout.",
    )
    diagram.add_argument("definition", metavar="DEFINITION", help="a lifecycle YAML file")
    diagram.add_argument("-o", "--output", required=True, metavar="FILE", help="'-' for stdout")
    diagram.add_argument("--format", choices=diagrams.FORMATS, help="overrides the file ending")
    diagram.add_argument("--no-guards", action="store_true", help="leave guards off the arrows")
    diagram.add_argument("--no-hooks", action="store_true", help="leave hook calls off")
    diagram.add_argument("--order", metavar="ID", help="highlight one order's state and path")
    diagram.add_argument("--db", metavar="PATH", help="the SQLite file holding --order")
    diagram.set_defaults(handler=run_diagram)

    docs = subparsers.add_parser(
        "docs",
        help="write a Markdown page documenting a lifecycle",
        description="Write a Markdown page: statuses, a Mermaid diagram, events, "
        "transitions, guards, hooks and settings.",
    )
    docs.add_argument("definition", metavar="DEFINITION", help="a lifecycle YAML file")
    docs.add_argument("-o", "--output", required=True, metavar="FILE.md", help="'-' for stdout")
    docs.set_defaults(handler=run_docs)


def run_diagram(args: argparse.Namespace) -> int:
    if (args.order is None) != (args.db is None):
        print("lifecycle diagram: error: --order and --db go together", file=sys.stderr)
        return EXIT_USAGE

    to_stdout = args.output == "-"
    clash = None if to_stdout else _format_clash(args.format, args.output)
    if clash:
        print(f"lifecycle diagram: error: {clash}", file=sys.stderr)
        return EXIT_USAGE
    fmt = args.format or ("svg" if to_stdout else diagrams.format_for_path(args.output))
    if to_stdout and diagrams.is_binary(fmt):
        raise DiagramError(
            f"{fmt} is binary and is not written to stdout; "
            f"give -o a file name such as 'lifecycle.{fmt}', or choose svg, dot, mermaid "
            "or plantuml"
        )

    lifecycle = load(args.definition)
    view = order_view(lifecycle, args.order, args.db) if args.order else None
    output = diagrams.render(
        lifecycle, fmt, guards=not args.no_guards, hooks=not args.no_hooks, order_view=view
    )
    _write(output, args.output)
    return EXIT_OK


def _format_clash(chosen: str | None, output: str) -> str | None:
    """Why ``--format`` contradicts the ending of ``output``, or None when it does not.

    An ending the diagrams do not know (``.txt``, none at all) never clashes: then
    ``--format`` is the only word on the format, and it is followed.
    """
    implied = diagrams.EXTENSIONS.get(Path(output).suffix.lower())
    if chosen is None or implied is None or implied == chosen:
        return None
    return (
        f"--format {chosen} contradicts the file name {output!r}, whose ending means "
        f"{implied}; drop --format, or name the file with an ending for {chosen} "
        f"(such as {_example_name(output, chosen)!r})"
    )


def _example_name(output: str, fmt: str) -> str:
    ending = next(suffix for suffix, known in diagrams.EXTENSIONS.items() if known == fmt)
    return str(Path(output).with_suffix(ending))


def run_docs(args: argparse.Namespace) -> int:
    page = diagrams.docs_page(load(args.definition))
    _write(page, args.output)
    return EXIT_OK


def _write(output: str | bytes, target: str) -> None:
    """Write to the file ``target`` (or stdout for ``-``); the file appears only when whole."""
    data = output.encode("utf-8") if isinstance(output, str) else output
    if target == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return

    path = Path(target)
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise DiagramError(f"cannot write {target!r}: {exc.strerror}") from exc

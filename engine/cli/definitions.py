"""Commands about definitions: ``validate`` checks files, ``schema`` prints the JSON Schema."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from engine.definition.loader import check_definition
from engine.definition.schema import schema_text
from engine.errors import DefinitionError, Problem
from engine.lifecycle import Lifecycle

logger = logging.getLogger(__name__)

# Bumped only when the JSON report changes in a way that breaks its readers.
REPORT_FORMAT = 1


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``validate`` and ``schema``."""
    validate = subparsers.add_parser(
        "validate",
        help="check lifecycle definitions and report every problem",
        description="Check lifecycle definition files; report every problem with its place.",
    )
    validate.add_argument("files", nargs="+", type=Path, metavar="FILE", help="YAML definitions")
    validate.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="'text' for people (default), 'json' for tools",
    )
    validate.set_defaults(handler=run_validate)

    schema = subparsers.add_parser(
        "schema",
        help="print the bundled JSON Schema of definitions",
        description="Print the JSON Schema (draft 2020-12) that definitions are checked against.",
    )
    schema.set_defaults(handler=run_schema)


def run_validate(args: argparse.Namespace) -> int:
    results = [(path, validate_file(path)) for path in args.files]
    if args.format == "json":
        print(json.dumps(_report(results), indent=2))
    else:
        _print_text(results)
    return 1 if any(problems for _, problems in results) else 0


def validate_file(path: Path) -> list[Problem]:
    """Every problem in one file, including what the machine builder refuses.

    A file that passes here loads with ``engine.load``: the same checks, then the same build.
    """
    definition, problems = check_definition(path)
    if definition is None:
        return problems
    try:
        Lifecycle(definition).machine_class  # noqa: B018 - built for its problems
    except DefinitionError as exc:
        return list(exc.problems)
    except Exception as exc:  # the promise is: no traceback for any input
        logger.warning("internal error while building %s", path, exc_info=True)
        message = f"internal error: {type(exc).__name__}: {exc}"
        return [Problem("LC900", message, str(path), 1, 1, hint="please report this")]
    return []


def run_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(schema_text())
    return 0


def _print_text(results: list[tuple[Path, list[Problem]]]) -> None:
    for path, problems in results:
        for problem in problems:
            print(problem)
        if not problems:
            print(f"{path}: ok")

    failed = sum(1 for _, problems in results if problems)
    total = sum(len(problems) for _, problems in results)
    files = len(results)
    if total:
        print(f"{total} problem{_s(total)} in {failed} of {files} file{_s(files)}")
    else:
        print(f"{files} file{_s(files)} valid")


def _report(results: list[tuple[Path, list[Problem]]]) -> dict[str, Any]:
    return {
        "format": REPORT_FORMAT,
        "valid": not any(problems for _, problems in results),
        "files": [
            {
                "file": str(path),
                "valid": not problems,
                "problems": [problem.as_dict() for problem in problems],
            }
            for path, problems in results
        ],
        "problem_count": sum(len(problems) for _, problems in results),
    }


def _s(count: int) -> str:
    return "" if count == 1 else "s"

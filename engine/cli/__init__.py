"""The ``lifecycle`` command.

Each command group lives in its own module and adds its subcommands through a
``register(subparsers)`` function; a subcommand's handler takes the parsed arguments and
returns the exit code: 0 success, 1 a problem was found or an operation failed, 2 usage.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from engine.cli import definitions, diagrams, orders
from engine.errors import LifecycleError

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2

_GROUPS = (definitions, orders, diagrams)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lifecycle",
        description="A declarative state-machine engine for order-status lifecycles.",
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log more (-v info, -vv debug, -vvv also python-statemachine's steps)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in _GROUPS:
        group.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    # The library only logs; the command line decides where logs go.
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    # python-statemachine logs every microstep at DEBUG; its lines drown the engine's
    # own under -vv, so they are shown only from -vvv on.
    if args.verbose < 3:
        logging.getLogger("statemachine").setLevel(max(level, logging.INFO))

    try:
        return int(args.handler(args))
    except LifecycleError as exc:
        print(f"lifecycle: error: {exc}", file=sys.stderr)
        return EXIT_PROBLEM
    except KeyboardInterrupt:
        print("lifecycle: interrupted", file=sys.stderr)
        return 130

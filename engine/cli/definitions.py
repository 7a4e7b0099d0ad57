"""Commands of the 'definitions' group (not written yet)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this group's subcommands. None are written yet."""

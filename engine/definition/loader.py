"""Read a lifecycle definition from a file or a text.

PROVISIONAL: a plain ``yaml.safe_load`` with no positions, no schema and no checks. The
full loader (positions, JSON Schema, semantic checks, every problem located) replaces
the body of :func:`load_definition` and keeps its signature.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from engine.definition.build import build_definition
from engine.definition.model import Definition


def read_source(path_or_text: str | Path) -> tuple[str, str]:
    """Return ``(text, name)``: a Path or an existing file name is read, anything else is text."""
    if isinstance(path_or_text, Path) or "\n" not in path_or_text and Path(path_or_text).is_file():
        path = Path(path_or_text)
        return path.read_text(encoding="utf-8"), str(path)
    return str(path_or_text), "<string>"


def load_definition(path_or_text: str | Path) -> Definition:
    text, name = read_source(path_or_text)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc = yaml.safe_load(text)
    return build_definition(doc, source=name, digest=digest)

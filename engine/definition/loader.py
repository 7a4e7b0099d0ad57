"""Read a lifecycle definition from a file or a text, and check all of it.

Loading runs in stages, each reporting every problem it finds:

1. reading: the file, its size and encoding, and YAML with positions (``LC1xx``);
2. the bundled JSON Schema (``LC2xx``);
3. the semantic checks and guard compilation (``LC3xx``).

The schema needs a document to check, so a reading problem stops there. The semantic checks
run even when the schema found problems, but only over the parts it did not fault, and a
check whose inputs are damaged is skipped: each problem reported is real rather than a
consequence of another. The codes are listed in the README and docs/definition-reference.md.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

from engine.definition.build import Locate, build_definition
from engine.definition.checks import semantic_problems
from engine.definition.model import Definition, Location
from engine.definition.schema import schema_check
from engine.definition.yamlread import (
    MAX_BYTES,
    Document,
    YamlProblems,
    decode,
    format_path,
    read_yaml,
    size_problem,
)
from engine.errors import DefinitionError, Problem

logger = logging.getLogger(__name__)

_FILE_SUFFIXES = (".yaml", ".yml", ".json")


def read_source(path_or_text: str | Path) -> tuple[str, str]:
    """Return ``(text, name)``: a Path or an existing file name is read, anything else is text.

    A one-line text ending in ``.yaml``/``.yml`` is taken for a file name even when no such
    file exists, so that a mistyped name is reported as a missing file, not as bad YAML.
    Raises :class:`DefinitionError` when the file cannot be read.
    """
    try:
        return _read_source(path_or_text)
    except YamlProblems as exc:
        raise DefinitionError(exc.problems) from None


def check_definition(path_or_text: str | Path) -> tuple[Definition | None, list[Problem]]:
    """Load and check a definition; return it (None if it cannot be built) and its problems.

    Never raises for any content: a fault of the loader itself is reported as an ``LC900``
    problem rather than a traceback.
    """
    name = str(path_or_text) if isinstance(path_or_text, Path) else "<string>"
    try:
        text, name = _read_source(path_or_text)
        return _check_text(text, name)
    except YamlProblems as exc:
        return None, exc.problems
    except RecursionError:
        return None, [Problem("LC109", "the source is nested too deeply to read", name, 1, 1)]
    except Exception as exc:  # the promise is: no traceback for any input
        logger.warning("internal error while checking %s", name, exc_info=True)
        message = f"internal error: {type(exc).__name__}: {exc}"
        return None, [Problem("LC900", message, name, 1, 1, hint="please report this")]


def load_definition(path_or_text: str | Path) -> Definition:
    """Load a definition; raise :class:`DefinitionError` carrying every problem found."""
    definition, problems = check_definition(path_or_text)
    if problems or definition is None:
        raise DefinitionError(problems)
    logger.debug(
        "loaded %r version %s from %s", definition.name, definition.version, definition.source
    )
    return definition


def _check_text(text: str, name: str) -> tuple[Definition | None, list[Problem]]:
    document = read_yaml(text, name)
    problems, damage = schema_check(document)
    if damage.total:
        return None, problems

    # With schema problems, the checks still run over the parts the schema did not fault.
    data = damage.prune(document.data) if damage else document.data
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    definition = build_definition(data, source=name, digest=digest, locate=_locator(document))
    problems += semantic_problems(definition, document, damage)
    problems.sort(key=lambda p: (p.line, p.column, p.code))
    return (None if problems else definition), problems


def _locator(document: Document) -> Locate:
    # Built things point at their key ("new:"), which is where a reader looks for them.
    places = {format_path(path): document.mark(path, key=True) for path in document.values}

    def locate(path: str) -> Location:
        mark = places.get(path)
        if mark is None:
            return Location(document.file, 0, 0, path)
        return Location(document.file, mark.line, mark.column, path)

    return locate


def _read_source(path_or_text: str | Path) -> tuple[str, str]:
    if isinstance(path_or_text, os.PathLike) and not isinstance(path_or_text, Path):
        path_or_text = Path(os.fsdecode(path_or_text))
    if not isinstance(path_or_text, str | Path):
        raise YamlProblems([_not_a_source(path_or_text)])
    if isinstance(path_or_text, Path):
        return _read_file(path_or_text), str(path_or_text)
    if "\n" not in path_or_text and _looks_like_file(path_or_text):
        return _read_file(Path(path_or_text)), path_or_text
    return path_or_text, "<string>"


def _looks_like_file(text: str) -> bool:
    if text.strip().endswith(_FILE_SUFFIXES):
        return True
    try:
        return Path(text).is_file()
    except (OSError, ValueError):  # too long for a file name, or a NUL in it
        return False


def _read_file(path: Path) -> str:
    name = str(path)
    try:
        with path.open("rb") as stream:
            # Read one byte past the limit: enough to know it is too big, never more.
            raw = stream.read(MAX_BYTES + 1)
            if len(raw) > MAX_BYTES:
                # Say how big the file is, without reading the rest of it.
                size = max(len(raw), os.fstat(stream.fileno()).st_size)
                raise YamlProblems([size_problem(size, name)])
    except FileNotFoundError:
        raise YamlProblems([_file_problem(f"no such file {name!r}", name)]) from None
    except IsADirectoryError:
        raise YamlProblems([_file_problem(f"{name!r} is a directory", name)]) from None
    except OSError as exc:
        message = f"cannot read {name!r}: {exc.strerror or exc}"
        raise YamlProblems([_file_problem(message, name)]) from None
    return decode(raw, name)


def _not_a_source(value: Any) -> Problem:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return Problem(
        "LC100",
        f"expected a path or YAML text, got {type(value).__name__} {shown}",
        "<string>",
        0,
        0,
        hint="give a pathlib.Path, a file name as a str, or the YAML text itself as a str",
    )


def _file_problem(message: str, name: str) -> Problem:
    return Problem("LC100", message, name, 0, 0, hint="give the path of a lifecycle YAML file")

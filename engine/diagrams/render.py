"""Pictures (SVG, PNG, PDF) from DOT source, through the Graphviz ``dot`` program."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess

from engine.errors import DiagramError, RendererMissing

logger = logging.getLogger(__name__)

PICTURE_FORMATS = ("svg", "png", "pdf")
# Formats written by this package alone, without any outside program.
TEXT_FORMATS = ("dot", "mermaid", "plantuml", "markdown")

INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: 'apt-get install graphviz', macOS: 'brew install graphviz')"
)
TIMEOUT = 60.0

# Graphviz draws PNGs at 96 dots per inch, too coarse to publish; twice that stays sharp on
# high-density screens and in print. Vector formats (svg, pdf) have no resolution.
PNG_DPI = 192

# Cairo stamps PDFs with the time they were made; a fixed date keeps output byte-identical.
# The digits are replaced one for one, so the PDF's byte offsets stay right.
_PDF_DATE = re.compile(rb"(/CreationDate \(D:)([0-9]+)")
_FIXED_DIGITS = b"19700101000000"


def dot_program() -> str:
    """The path of Graphviz ``dot``, or :class:`RendererMissing` saying how to get it."""
    path = shutil.which("dot")
    if path is None:
        formats = ", ".join(TEXT_FORMATS)
        raise RendererMissing(
            f"the Graphviz program 'dot' is not on the PATH, and svg, png and pdf need it; "
            f"{INSTALL_HINT}, or choose a format that works without it: {formats}",
            program="dot",
            formats=TEXT_FORMATS,
        )
    return path


def run_dot(source: str, picture_format: str, *, strict: bool = False) -> bytes:
    """Render DOT ``source`` as ``picture_format`` (svg, png or pdf).

    Graphviz warnings are logged; with ``strict`` they raise :class:`DiagramError`, as the
    tests and CI want, since a warning usually means a label was drawn wrong.
    """
    if picture_format not in PICTURE_FORMATS:
        raise DiagramError(
            f"{picture_format!r} is not a picture format; choose one of {PICTURE_FORMATS}"
        )

    command = [dot_program(), f"-T{picture_format}"]
    if picture_format == "png":
        command.append(f"-Gdpi={PNG_DPI}")
    completed = _run(command, source.encode("utf-8"))
    warnings = completed.stderr.decode("utf-8", "replace").strip()
    if completed.returncode != 0:
        raise DiagramError(f"Graphviz 'dot' failed (exit {completed.returncode}): {warnings}")
    if warnings:
        if strict:
            raise DiagramError(f"Graphviz 'dot' warned: {warnings}")
        logger.warning("Graphviz 'dot' warned: %s", warnings)

    return _steady(completed.stdout, picture_format)


def _run(command: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    logger.debug("running %s", command)
    try:
        return subprocess.run(command, input=stdin, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        raise DiagramError(
            f"Graphviz 'dot' took longer than {TIMEOUT:g}s and was stopped"
        ) from exc
    except OSError as exc:
        raise DiagramError(f"Graphviz 'dot' could not be started: {exc}") from exc


def _steady(output: bytes, picture_format: str) -> bytes:
    """Remove what would make two renders of one source differ."""
    if picture_format == "pdf":
        return _PDF_DATE.sub(_fixed_date, output)
    return output


def _fixed_date(match: re.Match[bytes]) -> bytes:
    digits = match.group(2)
    fixed = _FIXED_DIGITS[: len(digits)].ljust(len(digits), b"0")
    return match.group(1) + fixed

"""Text rules shared by every diagram format: wrapping, shortening and escaping.

Every piece of text a diagram shows (a label, an event, a guard, a hook) goes through
:func:`wrap` first, so that all formats break long text at the same places. Each format
then escapes the resulting lines with its own function here; none of them ever places raw
definition text into its output.
"""

from __future__ import annotations

import re

WRAP_WIDTH = 28
GUARD_WIDTH = 40
ELLIPSIS = "…"

_SPACES = re.compile(r"\s+")

# Where a long word may break, strongest first: between names, then between words of a name.
_SEPARATORS = ("./", "_-")


def one_line(text: str) -> str:
    """Collapse every run of white space (newlines included) into one space."""
    return _SPACES.sub(" ", text).strip()


def wrap(text: str, width: int = WRAP_WIDTH) -> list[str]:
    """Break ``text`` into lines of at most ``width`` characters.

    Newlines in the text are kept as line breaks; otherwise lines break between words. A
    word longer than ``width`` (a dotted setting name, a path) is broken after one of its
    own separators where it can be (see :func:`_cut`), and cut at ``width`` characters
    only where it has none. An empty text gives one empty line, so that every format has
    something to show.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(_wrap_paragraph(one_line(paragraph), width))
    return lines


def _wrap_paragraph(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        # A word too long for any line is broken up. Its first piece finishes the current
        # line where it fits ("if settings."), and its last piece may share the next one.
        while len(word) > width:
            cut = _cut(word, width)
            if current and len(current) + 1 + cut <= width:
                lines.append(f"{current} {word[:cut]}")
            else:
                lines += [current, word[:cut]] if current else [word[:cut]]
            current = ""
            word = word[cut:]

        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


def _cut(word: str, width: int) -> int:
    """Where to break a ``word`` longer than ``width``: how many characters stay on the line.

    A break goes after a separator, so the line ends with it and no name is cut mid-word.
    "." and "/" part whole names (``settings.send_to_cart``, ``a/b``), so the last one that
    fits is taken first; "_" and "-" part words inside a name and come next. With neither,
    the word is cut at ``width``.
    """
    head = word[:width]
    for separators in _SEPARATORS:
        cut = max((index + 1 for index, char in enumerate(head) if char in separators), default=0)
        if cut:
            return cut
    return width


def shorten(text: str, width: int = GUARD_WIDTH) -> str:
    """Put ``text`` on one line and cut it to ``width`` characters, marking the cut with …."""
    flat = one_line(text)
    if len(flat) <= width:
        return flat
    return flat[: width - 1].rstrip() + ELLIPSIS


def html(text: str) -> str:
    """Escape for Graphviz HTML-like labels: markup characters become entities.

    Graphviz reads entities in HTML-like labels, and also folds each pair of backslashes
    into one (written literally or as entities alike), so every backslash is doubled. A "]"
    is coded too: Graphviz 2.43 rejects a text that is nothing but "]" (as in ``<B>]</B>``).
    """
    return (
        text.replace("\\", "\\\\")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("]", "&#93;")
    )


# Mermaid decodes "#NN;" entity codes inside quoted labels. These characters could end the
# quoted label, start an entity, or be read as HTML or Markdown, so all of them are coded.
# So is ":": before decoding, Mermaid drops the last ";" of a source line that holds "style"
# or "classDef", later a ":" and, with no space between, a "#" (a style like "fill:#fff;"),
# which would break the line's last code.
_MERMAID_CODED = frozenset('"#;&<>`\\|{}[]%*_~=:')


# Mermaid turns a backslash and "n" into a line break even after decoding the backslash;
# an invisible word joiner between them keeps both characters as they were written.
WORD_JOINER = "\u2060"


def mermaid(text: str) -> str:
    """Escape one line for a quoted Mermaid label."""
    kept = text.replace("\\n", f"\\{WORD_JOINER}n")
    return "".join(f"#{ord(c)};" if c in _MERMAID_CODED else c for c in kept)


# PlantUML reads HTML-like tags, backslash escapes and creole markup (**, //, "", --, __,
# ~~, and the ".." separator) in display text. These characters are always coded. A creole
# marker is coded where one follows another, and also where it opens a line, since there a
# single one can be read ("*x" becomes a bullet; an arrow's label "-a/b" loses its "-"). The
# code is PlantUML's <U+XXXX> form: its "&#NN;" form breaks on a coded backslash or dollar.
_PLANTUML_CODED = frozenset("\"#;&<>`\\|{}[]%~='+^$@!:")
_PLANTUML_MARKERS = frozenset("*/-_.")


def plantuml(text: str) -> str:
    """Escape one line for a PlantUML display name or description."""
    coded = []
    for index, char in enumerate(text):
        doubled = char in text[index - 1 : index] or char in text[index + 1 : index + 2]
        opening = not text[:index].strip()
        if char in _PLANTUML_CODED or (char in _PLANTUML_MARKERS and (doubled or opening)):
            coded.append(f"<U+{ord(char):04X}>")
        else:
            coded.append(char)
    return "".join(coded)


# Characters that Markdown reads as markup inside a table cell; each gets a backslash.
_MARKDOWN_MARKUP = re.compile(r"([\\`*_\[\]|#~])")


def markdown_cell(text: str) -> str:
    """Escape text for one cell of a Markdown table: pipes, newlines and markup."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _MARKDOWN_MARKUP.sub(r"\\\1", escaped)
    return "<br>".join(escaped.splitlines())


def markdown_code(text: str) -> str:
    """Text as an inline code span that survives backticks and pipes inside it."""
    if not text:
        return ""
    fence = "`" * (_longest_backtick_run(text) + 1)
    # A code span cannot hold a newline in a table row; one space keeps the words apart.
    body = one_line(text).replace("|", "\\|")
    padding = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{padding}{body}{padding}{fence}"


def _longest_backtick_run(text: str) -> int:
    runs = re.findall(r"`+", text)
    return max((len(run) for run in runs), default=0)

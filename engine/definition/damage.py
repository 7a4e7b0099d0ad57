"""Which parts of a document the schema found fault with, so later checks can avoid them.

The semantic checks still run when the schema reports problems, but only over the parts the
schema did not fault: a problem found there is real, not a consequence of a schema error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.definition.yamlread import Path

# Top-level keys holding named items (or, for transitions, a list of items): a schema error
# inside one item spoils that item only, not its neighbours.
COLLECTIONS = frozenset(
    {"settings", "channels", "states", "events", "guards", "hooks", "transitions", "filters"}
)


def part_of(path: Path) -> Path:
    """The part a document path lies in: one item of a collection, or a top-level key."""
    if path and path[0] in COLLECTIONS:
        return path[:2]
    return path[:1]


@dataclass(frozen=True, slots=True)
class Damage:
    """The damaged parts of a document, each a :func:`part_of` path.

    ``()`` among them means the document as a whole is at fault, and nothing can be trusted.
    ``misnamed`` holds the collections with an item whose name is not valid: which name was
    meant is unknown, so a use of a name from there cannot be called unknown.
    """

    parts: frozenset[Path] = frozenset()
    misnamed: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.parts or self.misnamed)

    @property
    def total(self) -> bool:
        return () in self.parts

    def whole(self, section: str) -> bool:
        """Whether ``section`` as a whole is damaged (missing, or of the wrong shape)."""
        return self.total or (section,) in self.parts

    def touches(self, section: str) -> bool:
        """Whether ``section`` or any item in it is damaged."""
        return self.whole(section) or any(part[:1] == (section,) for part in self.parts)

    def prune(self, data: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``data`` without its damaged parts (``data`` itself is left alone).

        A damaged transition becomes None rather than going, so every other one keeps the
        index it was written at.
        """
        kept: dict[str, Any] = {}
        for key, value in data.items():
            if (key,) in self.parts:
                continue
            if key == "transitions" and isinstance(value, list):
                value = [None if (key, i) in self.parts else item for i, item in enumerate(value)]
            elif key in COLLECTIONS and isinstance(value, dict):
                value = {
                    name: item for name, item in value.items() if (key, name) not in self.parts
                }
            kept[key] = value
        return kept

"""Build python-statemachine classes from a lifecycle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.lifecycle import Lifecycle


def build_machine_class(lifecycle: Lifecycle) -> type[Any]:
    raise NotImplementedError("building python-statemachine classes is not written yet")

"""One order's view of its lifecycle, read from the journal through the runtime's API."""

from __future__ import annotations

from pathlib import Path

from engine.diagrams.graph import OrderView, Step
from engine.errors import DiagramError
from engine.lifecycle import Lifecycle

# Journal kinds that moved the order; refused events and hook outcomes did not.
_MOVED = "applied"


def order_view(lifecycle: Lifecycle, order_id: str, db: str | Path) -> OrderView:
    """The current state of ``order_id`` and the steps it took, from the store at ``db``."""
    # Opening a store creates a missing file; a typo in the path must not leave one behind.
    if not Path(db).is_file():
        raise DiagramError(
            f"no database at {str(db)!r} (for order {order_id!r}); "
            "give --db the SQLite file the engine keeps its orders in"
        )

    from engine.runtime import Engine  # the runtime is only needed for this view

    with Engine(lifecycle, store=Path(db)) as engine:
        order = engine.get(order_id)
        steps = tuple(
            Step(entry.event or "", entry.source, entry.target)
            for entry in engine.history(order_id)
            if entry.kind == _MOVED and entry.target is not None
        )
    return OrderView(order_id, order.state, steps)

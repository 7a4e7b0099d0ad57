"""The Engine and what it answers; see ``docs/runtime.md``."""

from engine.runtime.engine import AdapterLike, Engine
from engine.runtime.results import DispatchCounts, Explanation, Order, SendResult

__all__ = ["AdapterLike", "DispatchCounts", "Engine", "Explanation", "Order", "SendResult"]

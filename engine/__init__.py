"""lifecycle: a declarative state-machine engine for order-status lifecycles."""

from engine.clock import ManualClock, SystemClock
from engine.definition.model import Definition
from engine.diagrams import OrderView, docs_page
from engine.diagrams import render as render_diagram
from engine.errors import (
    DefinitionError,
    DiagramError,
    EventRefused,
    HookError,
    IdempotencyConflict,
    IntakeError,
    LifecycleError,
    OrderError,
    OrderExists,
    OrderNotFound,
    Problem,
    RendererMissing,
    SettingsError,
    StoreBusy,
    StoreError,
    VersionConflict,
)
from engine.hooks.adapter import Adapter, HookCall, HookOutcome
from engine.hooks.adapters import make_adapter
from engine.intake import LogEvent, canonical_order, read_event_log
from engine.lifecycle import Lifecycle, load
from engine.runtime import DispatchCounts, Engine, Explanation, Order, SendResult
from engine.store import MemoryStore, SQLiteStore, Store

__all__ = [
    "Adapter",
    "Definition",
    "DefinitionError",
    "DiagramError",
    "DispatchCounts",
    "Engine",
    "EventRefused",
    "Explanation",
    "HookCall",
    "HookError",
    "HookOutcome",
    "IdempotencyConflict",
    "IntakeError",
    "Lifecycle",
    "LifecycleError",
    "LogEvent",
    "ManualClock",
    "MemoryStore",
    "Order",
    "OrderError",
    "OrderExists",
    "OrderNotFound",
    "OrderView",
    "Problem",
    "RendererMissing",
    "SQLiteStore",
    "SendResult",
    "SettingsError",
    "Store",
    "StoreBusy",
    "StoreError",
    "SystemClock",
    "VersionConflict",
    "canonical_order",
    "docs_page",
    "load",
    "make_adapter",
    "read_event_log",
    "render_diagram",
]

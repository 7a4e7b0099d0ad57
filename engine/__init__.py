"""lifecycle: a declarative state-machine engine for order-status lifecycles."""

from engine.definition.model import Definition
from engine.errors import (
    DefinitionError,
    EventRefused,
    HookError,
    IntakeError,
    LifecycleError,
    OrderError,
    OrderExists,
    OrderNotFound,
    Problem,
    SettingsError,
    StoreBusy,
    StoreError,
    VersionConflict,
)
from engine.hooks.adapters import make_adapter
from engine.intake import LogEvent, canonical_order, read_event_log
from engine.lifecycle import Lifecycle, load

__all__ = [
    "Definition",
    "DefinitionError",
    "EventRefused",
    "HookError",
    "IntakeError",
    "Lifecycle",
    "LifecycleError",
    "LogEvent",
    "OrderError",
    "OrderExists",
    "OrderNotFound",
    "Problem",
    "SettingsError",
    "StoreBusy",
    "StoreError",
    "VersionConflict",
    "canonical_order",
    "load",
    "make_adapter",
    "read_event_log",
]

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
from engine.lifecycle import Lifecycle, load

__all__ = [
    "Definition",
    "DefinitionError",
    "EventRefused",
    "HookError",
    "IntakeError",
    "Lifecycle",
    "LifecycleError",
    "OrderError",
    "OrderExists",
    "OrderNotFound",
    "Problem",
    "SettingsError",
    "StoreBusy",
    "StoreError",
    "VersionConflict",
    "load",
]

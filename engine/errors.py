"""Every exception the engine raises on purpose.

One root, so that callers can catch everything the engine means to say::

    LifecycleError
     ├── DefinitionError        a definition has problems (carries every one of them)
     ├── SettingsError          account settings do not fit what the definition declares
     ├── OrderError             something about one order
     │    ├── OrderNotFound
     │    ├── OrderExists
     │    ├── EventRefused       the event is not allowed now, or a guard said no
     │    └── VersionConflict    an expected version did not match the stored one
     ├── StoreError             the database could not do what was asked
     │    └── StoreBusy          the database stayed locked past the wait
     ├── HookError              a hook adapter is missing or misconfigured
     ├── IntakeError            an event-log line or a cart payload is malformed
     ├── DiagramError           a diagram could not be drawn or written
     │    └── RendererMissing   the program a format needs is not installed
     └── IdempotencyConflict    an idempotency key was reused for a different request

Messages name the fault first, with the offending value's repr; the attributes carry
the same facts for programs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One located problem in a definition.

    ``path`` is the path inside the document (``states.new.label``); ``line`` and
    ``column`` are 1-based, 0 when the place is unknown.
    """

    code: str
    message: str
    file: str = "<string>"
    line: int = 0
    column: int = 0
    path: str = ""
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.code} {self.message}"
        if self.path:
            text += f" (at {self.path})"
        if self.hint:
            text += f"; {self.hint}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
            "path": self.path,
            "hint": self.hint,
        }


class LifecycleError(Exception):
    """The root of every error the engine raises on purpose."""


class DefinitionError(LifecycleError):
    """A definition could not be loaded; ``problems`` holds every problem found."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the definition"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


class SettingsError(LifecycleError):
    """Account settings name an unknown setting or give one a value of the wrong type."""

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        self.setting = setting
        super().__init__(message)


class OrderError(LifecycleError):
    """Something about one order went wrong."""

    def __init__(self, message: str, *, order_id: str) -> None:
        self.order_id = order_id
        super().__init__(message)


class OrderNotFound(OrderError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"no order {order_id!r}", order_id=order_id)


class OrderExists(OrderError):
    def __init__(self, order_id: str) -> None:
        super().__init__(f"order {order_id!r} exists already", order_id=order_id)


@dataclass(frozen=True, slots=True)
class GuardRefusal:
    """Why a guard said no: its name or expression and the values it read."""

    guard: str
    expression: str
    values: dict[str, Any] = field(default_factory=dict)
    error: str = ""


class EventRefused(OrderError):
    """The event cannot be applied to the order in its current state."""

    def __init__(
        self,
        message: str,
        *,
        order_id: str,
        event: str,
        state: str | None,
        allowed: Sequence[str] = (),
        refusals: Sequence[GuardRefusal] = (),
    ) -> None:
        self.event = event
        self.state = state
        self.allowed = tuple(allowed)
        self.refusals = tuple(refusals)
        super().__init__(message, order_id=order_id)


class VersionConflict(OrderError):
    def __init__(self, order_id: str, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"order {order_id!r} is at version {actual}, not the expected {expected}",
            order_id=order_id,
        )


class StoreError(LifecycleError):
    """The store could not read or write."""


class StoreBusy(StoreError):
    """The database stayed locked by another writer past the configured wait."""


class HookError(LifecycleError):
    """A hook adapter is missing, misconfigured or answered something unusable."""


class IntakeError(LifecycleError):
    """An event-log line or a cart payload is malformed.

    ``line`` is the 1-based line number in the log, when there is one.
    """

    def __init__(self, message: str, *, source: str = "", line: int = 0) -> None:
        self.source = source
        self.line = line
        where = f"{source}:{line}: " if source and line else ""
        super().__init__(f"{where}{message}")


class DiagramError(LifecycleError):
    """A diagram could not be drawn or written (a renderer failed, an output is refused)."""


class RendererMissing(DiagramError):
    """The program a format needs (Graphviz ``dot``) is not installed.

    ``program`` is the missing program's name; ``formats`` the formats that work without it.
    """

    def __init__(self, message: str, *, program: str, formats: Sequence[str] = ()) -> None:
        self.program = program
        self.formats = tuple(formats)
        super().__init__(message)


class IdempotencyConflict(LifecycleError):
    """An idempotency key came back with another order id, event or event data.

    ``key`` is the key; ``differs`` names what differs (``order_id``, ``event``, ``data``).
    """

    def __init__(self, message: str, *, key: str, differs: Sequence[str] = ()) -> None:
        self.key = key
        self.differs = tuple(differs)
        super().__init__(message)

"""What an adapter receives and what it answers.

The dispatcher hands an adapter one :class:`HookCall` at a time and reads back a
:class:`HookOutcome`. An adapter that raises is treated as a retryable failure, so a bug
in an adapter never loses a call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

OutcomeStatus = Literal["success", "retry", "failure"]


@dataclass(frozen=True, slots=True)
class HookCall:
    """One delivery attempt of one outbox entry.

    ``idempotency_key`` is the same on every attempt of the entry, so the far side can
    drop a repeat. ``payload`` holds the order's data and the triggering event's data.
    """

    call_id: int
    order_id: str
    hook: str
    channel: str
    action: str
    idempotency_key: str
    payload: dict[str, Any]
    attempt: int = 1


@dataclass(frozen=True, slots=True)
class HookOutcome:
    """How an attempt went.

    ``success``: done; ``data`` goes with the success event. ``retry``: try again later
    (``retry_after`` seconds, when the far side said so). ``failure``: refused for good.
    """

    status: OutcomeStatus
    data: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    retry_after: float | None = None

    @classmethod
    def success(cls, data: dict[str, Any] | None = None, message: str = "") -> HookOutcome:
        return cls("success", data or {}, message)

    @classmethod
    def retry(cls, message: str, retry_after: float | None = None) -> HookOutcome:
        return cls("retry", {}, message, retry_after)

    @classmethod
    def failure(cls, message: str, data: dict[str, Any] | None = None) -> HookOutcome:
        return cls("failure", data or {}, message)


@runtime_checkable
class Adapter(Protocol):
    """Delivers hook calls for one channel."""

    def deliver(self, call: HookCall) -> HookOutcome: ...

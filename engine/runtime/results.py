"""What the Engine answers: results of events, orders as the API shows them, counts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import EventRefused, GuardRefusal, OrderError, OrderExists


@dataclass(frozen=True, slots=True)
class SendResult:
    """What one applied event did. ``duplicate``: a repeated idempotency key's first result."""

    order_id: str
    event: str
    previous_state: str | None
    state: str
    version: int
    seq: int
    hooks: tuple[str, ...] = ()
    duplicate: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "event": self.event,
            "previous_state": self.previous_state,
            "state": self.state,
            "version": self.version,
            "seq": self.seq,
            "hooks": list(self.hooks),
        }


@dataclass(frozen=True, slots=True)
class Order:
    """An order as the API shows it."""

    order_id: str
    state: str
    label: str
    api_value: str
    version: int
    data: dict[str, Any]
    definition: str
    definition_version: int
    created_at: float
    updated_at: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "state": self.state,
            "label": self.label,
            "api_value": self.api_value,
            "version": self.version,
            "definition": self.definition,
            "definition_version": self.definition_version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "data": self.data,
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """Whether ``event`` would be applied to the order now, and if not, why."""

    order_id: str
    event: str
    state: str | None
    allowed: bool
    target: str | None
    reason: str
    refusals: tuple[GuardRefusal, ...] = ()


@dataclass(slots=True)
class DispatchCounts:
    """What one dispatch run did with the due hook calls."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    exhausted: int = 0
    dropped: int = 0

    @property
    def total(self) -> int:
        return self.delivered + self.retrying + self.failed + self.exhausted + self.dropped

    def add(self, other: DispatchCounts) -> None:
        for name in ("delivered", "retrying", "failed", "exhausted", "dropped"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {
            "delivered": self.delivered,
            "retrying": self.retrying,
            "failed": self.failed,
            "exhausted": self.exhausted,
            "dropped": self.dropped,
        }


def error_record(error: OrderError) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "type": type(error).__name__,
        "message": str(error),
        "order_id": error.order_id,
    }
    if isinstance(error, EventRefused):
        fields.update(event=error.event, state=error.state, allowed=list(error.allowed))
    return {"error": fields}


def replay_result(stored: Mapping[str, Any]) -> SendResult | OrderError:
    """The first result of an idempotency key, as a result or the error it was."""
    if "result" in stored:
        fields = dict(stored["result"])
        fields["hooks"] = tuple(fields["hooks"])
        return SendResult(**fields, duplicate=True)

    error = stored["error"]
    order_id = error["order_id"]
    if error["type"] == "OrderExists":
        return OrderExists(order_id)
    if error["type"] == "EventRefused":
        return EventRefused(
            error["message"],
            order_id=order_id,
            event=error["event"],
            state=error["state"],
            allowed=error["allowed"],
        )
    return OrderError(error["message"], order_id=order_id)

"""An adapter around a Python callable the embedding service registers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from engine.hooks.adapter import HookCall, HookOutcome

log = logging.getLogger(__name__)

HookFunction = Callable[[HookCall], "HookOutcome | dict[str, Any] | None"]


class PythonAdapter:
    """Deliver hook calls by calling ``function(call)``.

    The function answers a :class:`HookOutcome`, or a dict (success with that data), or
    None (success without data). Whatever it raises becomes a retry outcome that keeps the
    exception's message, so a bug in the function delays a call but never loses it.
    """

    def __init__(self, function: HookFunction, *, name: str | None = None) -> None:
        if not callable(function):
            raise TypeError(f"{function!r} is not callable; pass a function taking a HookCall")
        self.function = function
        self.name = name or getattr(function, "__qualname__", repr(function))

    def __repr__(self) -> str:
        return f"<PythonAdapter {self.name}>"

    def deliver(self, call: HookCall) -> HookOutcome:
        # Any failure of the callable means "try again", never "lost".
        try:
            answer = self.function(call)
        except Exception as exc:
            log.warning(
                "order %s: hook %s attempt %d raised %s: %s",
                call.order_id,
                call.hook,
                call.attempt,
                type(exc).__name__,
                exc,
            )
            return HookOutcome.retry(f"{self.name} raised {type(exc).__name__}: {exc}")

        return _as_outcome(answer, self.name, call)


def _as_outcome(answer: object, name: str, call: HookCall) -> HookOutcome:
    """Read the callable's answer; an answer of the wrong type is a bug, retried like one."""
    if answer is None:
        return HookOutcome.success()
    if isinstance(answer, HookOutcome):
        return answer
    if isinstance(answer, dict):
        return HookOutcome.success(answer)

    log.warning(
        "order %s: hook %s answered %r, not a HookOutcome, dict or None",
        call.order_id,
        call.hook,
        type(answer).__name__,
    )
    return HookOutcome.retry(
        f"{name} answered {type(answer).__name__!r}; expected a HookOutcome, a dict or None"
    )

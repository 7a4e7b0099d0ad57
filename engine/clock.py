"""Time, injectable: the engine asks a clock, so tests and replays control it.

Times are seconds since the Unix epoch, as floats.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """Anything with a ``now()`` that returns seconds since the epoch."""

    def now(self) -> float: ...


class SystemClock:
    """The real time."""

    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that moves only when told to: for tests and for replaying logs."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:  # 2026-01-01T00:00:00Z
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds``; a clock never goes back."""
        if seconds < 0:
            raise ValueError(f"a clock cannot go back: advance({seconds!r})")
        self._now += seconds
        return self._now

    def move_to(self, when: float) -> float:
        """Move forward to ``when``; an earlier time leaves the clock where it is."""
        self._now = max(self._now, float(when))
        return self._now


def isoformat(when: float | None) -> str | None:
    """RFC 3339 text in UTC, for output; None stays None."""
    if when is None:
        return None
    try:
        return datetime.fromtimestamp(when, UTC).isoformat().replace("+00:00", "Z")
    except (OverflowError, ValueError, OSError):
        # Beyond the calendar (year 10000, NaN...): output must not fail, so show the number.
        return repr(when)

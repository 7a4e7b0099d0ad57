"""A dry-run adapter: it records every call and answers success."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict
from pathlib import Path

from engine.hooks.adapter import HookCall, HookOutcome

log = logging.getLogger(__name__)


class RecordingAdapter:
    """Keep every call in ``calls`` and, when ``path`` is given, append it there as a JSON line.

    Nothing leaves the process, so a log can be run against it to see which calls the
    lifecycle would make.
    """

    def __init__(self, channel: str = "", *, path: str | Path | None = None) -> None:
        self.channel = channel
        self.path = Path(path) if path is not None else None
        self.calls: list[HookCall] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<RecordingAdapter {self.channel!r} calls={len(self.calls)}>"

    def deliver(self, call: HookCall) -> HookOutcome:
        with self._lock:
            self.calls.append(call)
            if self.path is not None:
                self._append(call)

        log.debug("order %s: recorded hook %s (%s)", call.order_id, call.hook, call.action)
        return HookOutcome.success(message="recorded, not delivered")

    def _append(self, call: HookCall) -> None:
        line = json.dumps(asdict(call), sort_keys=True, ensure_ascii=False, default=str)
        with self.path.open("a", encoding="utf-8") as out:  # type: ignore[union-attr]
            out.write(line + "\n")

"""A hook receiver on 127.0.0.1 that records every request and can misbehave on purpose.

Tests start it, point the engine's HTTP adapters at it, and read back what arrived. A
*script* of behaviours decides how the next requests are answered (``ok``, ``500``,
``429`` with Retry-After, ``slow``, ``garbage``, ``close`` mid-response, ``400``); once
the script runs out, every request gets ``ok``.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BEHAVIOURS = ("ok", "500", "429", "slow", "garbage", "close", "400")


@dataclass(frozen=True)
class Received:
    """One request as the server saw it, and how it was answered."""

    path: str
    headers: dict[str, str]
    body: bytes
    answer: str

    @property
    def idempotency_key(self) -> str | None:
        """The key from the header, or from the JSON body when there is no header."""
        for name, value in self.headers.items():
            if name.lower() in ("idempotency-key", "x-idempotency-key"):
                return value
        try:
            payload = json.loads(self.body)
        except ValueError:
            return None
        return payload.get("idempotency_key") if isinstance(payload, dict) else None

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HookServer:
    """Start with :meth:`start`; ``url`` is where to send; ``received`` what came."""

    retry_after: int = 120
    slow_seconds: float = 2.0
    received: list[Received] = field(default_factory=list)
    script: deque[str] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "the server is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> HookServer:
        handler = _handler_for(self)
        self._server = _QuietServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def plan(self, *behaviours: str) -> None:
        """Answer the next requests with ``behaviours``, in order."""
        unknown = [b for b in behaviours if b not in BEHAVIOURS]
        if unknown:
            raise ValueError(f"unknown behaviour {unknown[0]!r}; one of {BEHAVIOURS}")
        with self._lock:
            self.script.extend(behaviours)

    def next_behaviour(self) -> str:
        with self._lock:
            return self.script.popleft() if self.script else "ok"

    def record(self, item: Received) -> None:
        with self._lock:
            self.received.append(item)

    def keys(self, answer: str | None = None) -> list[str]:
        """Idempotency keys received, optionally only those answered with ``answer``."""
        with self._lock:
            items = list(self.received)
        return [r.idempotency_key or "" for r in items if answer is None or r.answer == answer]


class _QuietServer(ThreadingHTTPServer):
    """A client killed mid-request (the crash test does that) is expected, not an error."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


def _handler_for(server: HookServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            behaviour = server.next_behaviour()
            server.record(Received(self.path, dict(self.headers.items()), body, behaviour))
            _answer(self, behaviour, server)

        def log_message(self, format: str, *args: Any) -> None:
            # Quiet: the test reads ``received`` instead of the access log.
            pass

    return Handler


def _answer(handler: BaseHTTPRequestHandler, behaviour: str, server: HookServer) -> None:
    if behaviour == "close":
        # Promise a body, send half of it, and drop the connection.
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        handler.wfile.write(b'{"ok": tr')
        handler.wfile.flush()
        handler.connection.shutdown(socket.SHUT_RDWR)
        handler.close_connection = True
        return

    if behaviour == "slow":
        time.sleep(server.slow_seconds)
    status, body, extra = {
        "ok": (200, b'{"ok": true}', {}),
        "slow": (200, b'{"ok": true}', {}),
        "500": (500, b'{"error": "internal"}', {}),
        "429": (429, b'{"error": "slow down"}', {"Retry-After": str(server.retry_after)}),
        "garbage": (200, b"\x00\xff<html>not json", {}),
        "400": (400, b'{"error": "bad order"}', {}),
    }[behaviour]
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    for name, value in extra.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (for "connection refused")."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])

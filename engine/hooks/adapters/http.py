"""Deliver hook calls as signed JSON POSTs over HTTP.

Each attempt is ``POST {url}/{action}`` with a JSON body::

    {"action": ..., "attempt": ..., "hook": ..., "idempotency_key": ..., "order_id": ...,
     "payload": {...}}

serialized with sorted keys and no spaces, and these headers:

- ``Idempotency-Key``: the same on every attempt of one outbox entry.
- ``X-Lifecycle-Timestamp``: Unix seconds when the attempt was signed.
- ``X-Lifecycle-Signature``: ``sha256=<hex>``, the HMAC-SHA256 with the channel's secret
  of ``<timestamp>.`` followed by the exact body bytes. Signing the timestamp lets the
  receiver refuse a replayed request whose timestamp is too old (see :func:`verify`).

Answers: 2xx is success (a JSON object body becomes the outcome's data); 408, 429, 5xx,
timeouts and connection errors are retried (429 and 503 honour ``Retry-After``); any
other status is a permanent failure. The secret never appears in a message, a log record
or a repr.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from engine.errors import HookError
from engine.hooks.adapter import HookCall, HookOutcome

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Lifecycle-Signature"
TIMESTAMP_HEADER = "X-Lifecycle-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
RETRIED_STATUSES = frozenset({408, 429})
RETRY_AFTER_STATUSES = frozenset({429, 503})
EXCERPT = 200
# A Retry-After beyond a year is taken as a year: no real server means it, and the
# outbox caps the wait further.
MAX_RETRY_AFTER = 365 * 24 * 3600.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, "sha256")
    return "sha256=" + digest.hexdigest()


def verify(
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    now: float | None = None,
    tolerance: float = 300.0,
) -> bool:
    """Whether a received request is signed with ``secret`` and recent enough.

    For receivers: pass the raw body bytes and the two headers. A timestamp more than
    ``tolerance`` seconds away from ``now`` is refused, which stops replays.
    """
    # Headers come from whoever sent the request: anything but plain ASCII digits and an
    # ASCII signature is simply not a valid signature.
    if not isinstance(timestamp, str) or not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if not isinstance(signature, str) or not signature.isascii():
        return False
    if abs((time.time() if now is None else now) - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode())


def encode_body(call: HookCall) -> bytes:
    """The exact bytes POSTed for one call; the signature covers these bytes."""
    body = {
        "order_id": call.order_id,
        "hook": call.hook,
        "action": call.action,
        "idempotency_key": call.idempotency_key,
        "attempt": call.attempt,
        "payload": call.payload,
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return text.encode("utf-8")


class HttpAdapter:
    """POST each call to ``{url}/{action}``, signed with the channel's secret.

    ``secret`` is the HMAC key; without it, ``secret_env`` names an environment variable
    that holds it. With neither, requests go unsigned (and a warning says so once).
    ``timeout`` bounds connecting, writing and reading, in seconds.
    """

    def __init__(
        self,
        url: str,
        channel: str = "",
        *,
        secret: str | None = None,
        secret_env: str | None = None,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = _checked_url(url)
        self.channel = channel
        self.timeout = timeout
        self._clock = clock
        self._secret = secret if secret is not None else _secret_from_env(secret_env)
        self._client = httpx.Client(timeout=timeout, transport=transport)

        if not self._secret:
            log.warning("channel %s: hook calls to %s go unsigned (no secret)", channel, self.url)

    def __repr__(self) -> str:
        signed = "signed" if self._secret else "unsigned"
        return f"<HttpAdapter {self.channel!r} {self.url} {signed}>"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpAdapter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def deliver(self, call: HookCall) -> HookOutcome:
        target = f"{self.url.rstrip('/')}/{call.action}"
        body = encode_body(call)
        try:
            response = self._client.post(target, content=body, headers=self._headers(call, body))
        except httpx.TimeoutException:
            return self._retry(call, f"no answer from {target} within {self.timeout}s")
        except httpx.HTTPError as exc:
            return self._retry(call, f"could not reach {target}: {type(exc).__name__}: {exc}")

        outcome = self._read(call, target, response)
        log.debug(
            "order %s: hook %s attempt %d to %s: HTTP %d, %s",
            call.order_id,
            call.hook,
            call.attempt,
            target,
            response.status_code,
            outcome.status,
        )
        return outcome

    def _headers(self, call: HookCall, body: bytes) -> dict[str, str]:
        headers = {"Content-Type": "application/json", IDEMPOTENCY_HEADER: call.idempotency_key}
        if self._secret:
            timestamp = str(int(self._clock()))
            headers[TIMESTAMP_HEADER] = timestamp
            headers[SIGNATURE_HEADER] = sign(self._secret, timestamp, body)
        return headers

    def _read(self, call: HookCall, target: str, response: httpx.Response) -> HookOutcome:
        status = response.status_code
        if 200 <= status < 300:
            return HookOutcome.success(self._data(call, target, response))

        excerpt = self._scrub(_excerpt(response))
        message = f"{target} answered HTTP {status}: {excerpt!r}"
        if status in RETRIED_STATUSES or status >= 500:
            retry_after = None
            if status in RETRY_AFTER_STATUSES:
                retry_after = _retry_after(response.headers.get("Retry-After"), self._clock())
            return self._retry(call, message, retry_after)

        log.debug("order %s: hook %s refused for good: %s", call.order_id, call.hook, message)
        return HookOutcome.failure(message)

    def _data(self, call: HookCall, target: str, response: httpx.Response) -> dict[str, Any]:
        """The body of a 2xx answer as outcome data; anything but a JSON object gives none."""
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data

        # The far side did the work; only its answer is unreadable, so success stands.
        log.warning(
            "order %s: hook %s: %s answered HTTP %d with a body that is not a JSON object: %r",
            call.order_id,
            call.hook,
            target,
            response.status_code,
            self._scrub(_excerpt(response)),
        )
        return {}

    def _retry(
        self, call: HookCall, message: str, retry_after: float | None = None
    ) -> HookOutcome:
        message = self._scrub(message)
        # The dispatcher logs the outcome at WARNING with the order; here only the detail.
        log.debug(
            "order %s: hook %s attempt %d failed, will retry: %s",
            call.order_id,
            call.hook,
            call.attempt,
            message,
        )
        return HookOutcome.retry(message, retry_after)

    def _scrub(self, text: str) -> str:
        # A far side that echoes what it received must not leak the key through us.
        return text.replace(self._secret, "***") if self._secret else text


def _checked_url(url: str) -> str:
    """The URL without credentials, or a HookError when it is not an http(s) URL."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise HookError(f"hook URL {url!r} is not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise HookError(f"hook URL {url!r} must be an http:// or https:// URL with a host")
    if parsed.userinfo:
        raise HookError(
            "hook URL carries credentials; pass the secret with secret= or an environment "
            "variable instead"
        )
    return str(parsed)


def _secret_from_env(name: str | None) -> str | None:
    if not name:
        return None
    return os.environ.get(name) or None


def _excerpt(response: httpx.Response) -> str:
    text = response.content[: EXCERPT * 4].decode("utf-8", errors="replace")
    return text[:EXCERPT] + ("…" if len(text) > EXCERPT else "")


def _retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delay seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        # A run of digits too long for a float reads as inf; the cap below takes it.
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
        if when.tzinfo is None:
            return None
        wait = when.timestamp() - now
    except (TypeError, ValueError, OverflowError, OSError, IndexError):
        return None
    return min(max(wait, 0.0), MAX_RETRY_AFTER)

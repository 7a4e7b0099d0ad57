"""The http adapter against a real server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from engine.errors import HookError
from engine.hooks.adapter import HookCall, HookOutcome
from engine.hooks.adapters import HttpAdapter, verify
from tests.hooks.conftest import HookServer, Reply

SECRET = "s3cret-hmac-key-for-tests"
NOW = 1_780_000_000.0


def call(attempt: int = 1) -> HookCall:
    return HookCall(
        call_id=7,
        order_id="EX-1",
        hook="wms_create_order",
        channel="wms",
        action="create_order",
        idempotency_key="EX-1:wms_create_order:3",
        payload={"order": {"id": "EX-1", "ship_method": "standard"}},
        attempt=attempt,
    )


@pytest.fixture
def adapter(hook_server: HookServer) -> Iterator[HttpAdapter]:
    with HttpAdapter(
        hook_server.url, "wms", secret=SECRET, timeout=0.3, clock=lambda: NOW
    ) as http_adapter:
        yield http_adapter


def test_success_posts_the_call_and_reads_the_answer(
    hook_server: HookServer, adapter: HttpAdapter
) -> None:
    hook_server.script(Reply(200, b'{"wms_order_id": "W-1"}'))

    outcome = adapter.deliver(call())

    assert outcome == HookOutcome.success({"wms_order_id": "W-1"})
    request = hook_server.received[0]
    assert request.path == "/hooks/create_order"
    assert json.loads(request.body) == {
        "order_id": "EX-1",
        "hook": "wms_create_order",
        "action": "create_order",
        "idempotency_key": "EX-1:wms_create_order:3",
        "attempt": 1,
        "payload": {"order": {"id": "EX-1", "ship_method": "standard"}},
    }
    assert request.headers["Content-Type"] == "application/json"


def test_the_signature_verifies_on_the_server_side(
    hook_server: HookServer, adapter: HttpAdapter
) -> None:
    adapter.deliver(call())

    request = hook_server.received[0]
    timestamp = request.headers["X-Lifecycle-Timestamp"]
    expected = hmac.new(SECRET.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256)
    assert timestamp == str(int(NOW))
    assert request.headers["X-Lifecycle-Signature"] == "sha256=" + expected.hexdigest()
    assert verify(
        SECRET, request.body, timestamp, request.headers["X-Lifecycle-Signature"], now=NOW
    )


def test_the_signature_covers_the_exact_utf8_bytes(
    hook_server: HookServer, adapter: HttpAdapter
) -> None:
    order = {"id": "EX-2", "ship_to": {"city": "Zürich", "name": "Zoë 山田"}}
    unicode_call = HookCall(1, "EX-2", "h", "wms", "create_order", "k", {"order": order})

    adapter.deliver(unicode_call)

    request = hook_server.received[0]
    assert "Zürich".encode() in request.body
    assert json.loads(request.body.decode("utf-8"))["payload"]["order"] == order
    timestamp, signature = (
        request.headers["X-Lifecycle-Timestamp"],
        request.headers["X-Lifecycle-Signature"],
    )
    assert verify(SECRET, request.body, timestamp, signature, now=NOW)


def test_verify_refuses_a_wrong_key_a_changed_body_and_a_replay(
    hook_server: HookServer, adapter: HttpAdapter
) -> None:
    adapter.deliver(call())
    request = hook_server.received[0]
    timestamp = request.headers["X-Lifecycle-Timestamp"]
    signature = request.headers["X-Lifecycle-Signature"]

    assert not verify("other-key", request.body, timestamp, signature, now=NOW)
    assert not verify(SECRET, request.body + b" ", timestamp, signature, now=NOW)
    assert not verify(SECRET, request.body, timestamp, signature, now=NOW + 301)
    assert not verify(SECRET, request.body, "not-a-time", signature, now=NOW)


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [
        (None, "sha256=00"),
        ("١٧٠٠٠٠٠٠٠٠", "sha256=00"),  # digits, but not ASCII ones
        (str(int(NOW)), "sha256=é"),
        (str(int(NOW)), None),
    ],
    ids=["no-timestamp", "arabic-digits", "non-ascii-signature", "no-signature"],
)
def test_verify_answers_false_to_hostile_headers(timestamp: object, signature: object) -> None:
    assert verify(SECRET, b"{}", timestamp, signature, now=NOW) is False  # type: ignore[arg-type]


def test_a_server_error_is_retried_with_the_same_idempotency_key(
    hook_server: HookServer, adapter: HttpAdapter
) -> None:
    hook_server.script(Reply(500, b"database down"), Reply(201, b'{"ok": true}'))

    first = adapter.deliver(call(attempt=1))
    second = adapter.deliver(call(attempt=2))

    assert first.status == "retry"
    assert "HTTP 500" in first.message and "database down" in first.message
    assert second == HookOutcome.success({"ok": True})
    keys = {r.headers["Idempotency-Key"] for r in hook_server.received}
    assert keys == {"EX-1:wms_create_order:3"}
    assert [json.loads(r.body)["attempt"] for r in hook_server.received] == [1, 2]


def test_429_honours_retry_after_seconds(hook_server: HookServer, adapter: HttpAdapter) -> None:
    hook_server.script(Reply(429, b"slow down", {"Retry-After": "7"}))

    outcome = adapter.deliver(call())

    assert outcome.status == "retry"
    assert outcome.retry_after == 7.0


def test_503_honours_retry_after_as_a_date(hook_server: HookServer, adapter: HttpAdapter) -> None:
    later = format_datetime(datetime.fromtimestamp(NOW + 90, UTC), usegmt=True)
    hook_server.script(Reply(503, b"", {"Retry-After": later}))

    outcome = adapter.deliver(call())

    assert outcome.status == "retry"
    assert outcome.retry_after == pytest.approx(90.0)


def test_408_is_retried_without_a_wait_hint(hook_server: HookServer, adapter: HttpAdapter) -> None:
    hook_server.script(Reply(408, b"", {"Retry-After": "30"}))

    outcome = adapter.deliver(call())

    assert outcome.status == "retry"
    assert outcome.retry_after is None


def test_404_is_a_permanent_failure_with_a_body_excerpt(
    hook_server: HookServer, adapter: HttpAdapter
) -> None:
    hook_server.script(Reply(404, b"no such action here " + b"x" * 500))

    outcome = adapter.deliver(call())

    assert outcome.status == "failure"
    assert "HTTP 404" in outcome.message
    assert "no such action here" in outcome.message
    assert len(outcome.message) < 320


def test_a_server_that_does_not_answer_in_time_is_retried(
    hook_server: HookServer, adapter: HttpAdapter
) -> None:
    hook_server.script(Reply(hang=True))

    outcome = adapter.deliver(call())

    assert outcome.status == "retry"
    assert "within 0.3s" in outcome.message


def test_connection_refused_is_retried() -> None:
    # A port that was free a moment ago and has nothing listening now.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with HttpAdapter(f"http://127.0.0.1:{port}", "wms", secret=SECRET, timeout=0.3) as adapter:
        outcome = adapter.deliver(call())

    assert outcome.status == "retry"
    assert "could not reach" in outcome.message and "ConnectError" in outcome.message


def test_a_garbage_body_on_2xx_is_success_without_data_and_a_warning(
    hook_server: HookServer, adapter: HttpAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    hook_server.script(Reply(200, b"<html>ok?</html>"), Reply(200, b"[1, 2]"))

    with caplog.at_level(logging.WARNING, logger="engine.hooks.adapters.http"):
        first = adapter.deliver(call())
        second = adapter.deliver(call())

    assert first == HookOutcome.success()
    assert second == HookOutcome.success()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "not a JSON object" in warnings[0] and "EX-1" in warnings[0]


def test_a_response_cut_short_is_retried(hook_server: HookServer, adapter: HttpAdapter) -> None:
    hook_server.script(Reply(200, b'{"partial": ', cut=True))

    outcome = adapter.deliver(call())

    assert outcome.status == "retry"
    assert "could not reach" in outcome.message


def test_the_secret_never_appears_in_outcomes_logs_or_repr(
    hook_server: HookServer, adapter: HttpAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    # A far side that echoes the key back must not make us repeat it.
    hook_server.script(
        Reply(500, f"bad key {SECRET}".encode()),
        Reply(400, f"bad key {SECRET}".encode()),
        Reply(200, f"not json {SECRET}".encode()),
        Reply(hang=True),
    )

    with caplog.at_level(logging.DEBUG):
        outcomes = [adapter.deliver(call(attempt)) for attempt in range(1, 5)]

    assert [o.status for o in outcomes] == ["retry", "failure", "success", "retry"]
    texts = [o.message for o in outcomes] + [json.dumps(o.data) for o in outcomes]
    texts += [r.getMessage() for r in caplog.records] + [repr(adapter)]
    assert all(SECRET not in text for text in texts)
    assert "***" in outcomes[1].message


def test_the_secret_can_come_from_an_environment_variable(
    hook_server: HookServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_HOOK_KEY", SECRET)

    with HttpAdapter(hook_server.url, "cart", secret_env="TEST_HOOK_KEY") as adapter:
        adapter.deliver(call())

    request = hook_server.received[0]
    assert verify(
        SECRET,
        request.body,
        request.headers["X-Lifecycle-Timestamp"],
        request.headers["X-Lifecycle-Signature"],
    )


def test_without_a_secret_requests_go_unsigned_and_a_warning_says_so(
    hook_server: HookServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), HttpAdapter(hook_server.url, "cart") as adapter:
        outcome = adapter.deliver(call())

    assert outcome.status == "success"
    assert "X-Lifecycle-Signature" not in hook_server.received[0].headers
    assert any("unsigned" in r.getMessage() for r in caplog.records)


class TestBadUrls:
    @pytest.mark.parametrize(
        "url", ["ftp://127.0.0.1/hooks", "http://", "not a url", "https:///path-only"]
    )
    def test_a_url_that_is_not_http_is_refused(self, url: str) -> None:
        with pytest.raises(HookError, match=r"http:// or https://|not a valid URL"):
            HttpAdapter(url, "wms", secret=SECRET)

    def test_credentials_in_the_url_are_refused_without_repeating_them(self) -> None:
        with pytest.raises(HookError) as caught:
            HttpAdapter("http://user:hunter2@127.0.0.1/hooks", "wms")

        assert "hunter2" not in str(caught.value)
        assert "credentials" in str(caught.value)

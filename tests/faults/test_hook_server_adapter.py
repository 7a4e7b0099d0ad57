"""The HTTP adapter against a receiver that misbehaves: every answer maps to the right outcome.

The engine-level tests (test_hook_faults.py) check what the dispatcher does with these
outcomes; here each misbehaviour is pinned on its own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.hooks.adapter import HookCall
from engine.hooks.adapters import HttpAdapter
from tests.faults.hookserver import HookServer, free_port


def call(key: str = "order-1:7:wms_create_order", attempt: int = 1) -> HookCall:
    return HookCall(
        call_id=7,
        order_id="order-1",
        hook="wms_create_order",
        channel="wms",
        action="create_order",
        idempotency_key=key,
        payload={"order": {"id": "order-1"}},
        attempt=attempt,
    )


@pytest.fixture
def adapter(hook_server: HookServer) -> Iterator[HttpAdapter]:
    with HttpAdapter(hook_server.url, "wms", secret="s3cret", timeout=0.5) as http:
        yield http


@pytest.mark.parametrize(
    ("behaviour", "status"),
    [
        ("ok", "success"),
        ("500", "retry"),
        ("429", "retry"),
        ("close", "retry"),
        ("400", "failure"),
        # The far side took the order; only its answer is unreadable.
        ("garbage", "success"),
    ],
)
def test_each_answer_maps_to_its_outcome(
    adapter: HttpAdapter, hook_server: HookServer, behaviour: str, status: str
) -> None:
    hook_server.plan(behaviour)

    outcome = adapter.deliver(call())

    assert outcome.status == status
    assert hook_server.keys() == ["order-1:7:wms_create_order"]
    assert hook_server.received[0].path == "/create_order"


def test_429_passes_retry_after_on(adapter: HttpAdapter, hook_server: HookServer) -> None:
    hook_server.retry_after = 90
    hook_server.plan("429")

    outcome = adapter.deliver(call())

    assert (outcome.status, outcome.retry_after) == ("retry", 90.0)


def test_a_500_gives_no_retry_after(adapter: HttpAdapter, hook_server: HookServer) -> None:
    hook_server.plan("500")

    assert adapter.deliver(call()).retry_after is None


def test_a_slow_receiver_times_out_into_a_retry(hook_server: HookServer) -> None:
    hook_server.slow_seconds = 1.5
    hook_server.plan("slow")

    with HttpAdapter(hook_server.url, "wms", secret="s3cret", timeout=0.2) as http:
        outcome = http.deliver(call())

    assert outcome.status == "retry"
    assert "0.2" in outcome.message


def test_a_refused_connection_is_a_retry_not_an_exception() -> None:
    with HttpAdapter(f"http://127.0.0.1:{free_port()}", "wms", timeout=0.5) as http:
        outcome = http.deliver(call())

    assert outcome.status == "retry"
    assert "could not reach" in outcome.message


def test_every_attempt_carries_the_same_key(adapter: HttpAdapter, hook_server: HookServer) -> None:
    hook_server.plan("500", "close", "ok")

    statuses = [adapter.deliver(call(attempt=n)).status for n in (1, 2, 3)]

    assert statuses == ["retry", "retry", "success"]
    assert hook_server.keys() == ["order-1:7:wms_create_order"] * 3
    assert [r.json()["attempt"] for r in hook_server.received] == [1, 2, 3]


def test_the_secret_never_reaches_the_receiver_in_clear(
    adapter: HttpAdapter, hook_server: HookServer
) -> None:
    adapter.deliver(call())

    received = hook_server.received[0]
    assert b"s3cret" not in received.body
    assert all("s3cret" not in value for value in received.headers.values())

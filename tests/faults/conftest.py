"""Fixtures for fault tests: a hook server on 127.0.0.1 that the test controls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.hookserver import HookServer


@pytest.fixture
def hook_server() -> Iterator[HookServer]:
    server = HookServer().start()
    yield server
    server.stop()

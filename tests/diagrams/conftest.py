"""Fixtures for the diagram tests."""

from __future__ import annotations

from pathlib import Path

import pytest

import engine
from engine.lifecycle import Lifecycle


@pytest.fixture(scope="session")
def order_lifecycle(order_definition: Path) -> Lifecycle:
    return engine.load(order_definition)

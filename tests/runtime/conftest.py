"""Fixtures for the runtime tests: a real SQLite file, a controlled clock, Python adapters."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from engine import load
from engine.clock import ManualClock
from engine.hooks.adapter import HookCall, HookOutcome
from engine.lifecycle import Lifecycle
from engine.runtime import Engine

MAPPED = {"UPS_GROUND": {"carrier": "UPS", "method": "03"}}


def order_data(order_id: str = "A-1", ship_method: str = "UPS_GROUND", **extra: Any) -> dict:
    """A canonical order that passes every download guard when its ship method is mapped."""
    data = {
        "id": order_id,
        "source": "webstore",
        "ship_method": ship_method,
        "ship_to": {
            "name": "Robin Example",
            "company": "",
            "address1": "1 Test Street",
            "address2": "",
            "city": "Exampleton",
            "region": "CA",
            "postal_code": "90000",
            "country": "US",
        },
        "lines": [{"sku": "MUG", "quantity": 1}],
        "packages": [],
    }
    data.update(extra)
    return data


PACKAGES = {"packages": [{"carrier": "UPS", "method": "03", "tracking": "1Z999"}]}


class Channel:
    """A Python adapter whose answers the test scripts; it records every call it gets."""

    def __init__(self) -> None:
        self.calls: list[HookCall] = []
        self.answers: dict[str, Callable[[HookCall], HookOutcome]] = {}

    def deliver(self, call: HookCall) -> HookOutcome:
        self.calls.append(call)
        answer = self.answers.get(call.action)
        return answer(call) if answer else HookOutcome.success()

    def actions(self) -> list[str]:
        return [c.action for c in self.calls]


@pytest.fixture(scope="session")
def lifecycle(order_definition: Path) -> Lifecycle:
    return load(order_definition)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def wms() -> Channel:
    return Channel()


@pytest.fixture
def cart() -> Channel:
    return Channel()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "orders.db"


@pytest.fixture
def make_engine(
    lifecycle: Lifecycle, db_path: Path, clock: ManualClock, wms: Channel, cart: Channel
) -> Iterator[Callable[..., Engine]]:
    opened: list[Engine] = []

    def make(**options: Any) -> Engine:
        options.setdefault("settings", {"ship_method_map": MAPPED})
        options.setdefault("adapters", {"wms": wms, "cart": cart})
        options.setdefault("clock", clock)
        engine = Engine(options.pop("lifecycle", lifecycle), db_path, **options)
        opened.append(engine)
        return engine

    yield make
    for engine in opened:
        engine.close()


@pytest.fixture
def engine(make_engine: Callable[..., Engine]) -> Engine:
    return make_engine()


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, read through a separate connection."""
    with sqlite3.connect(path) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}

"""Several processes send events to the same orders at once.

No lost update (every applied event made exactly one new version), no event applied
twice (a repeated key returns the first result and writes nothing), every refusal
explained (journaled with its reason), and the journal replays to each stored state.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import engine
from engine.runtime import Engine
from engine.store.base import APPLIED, REFUSED
from tests.concurrency.worker import DEFINITION, SETTINGS

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 6


def run_workers(tmp_path: Path, db: Path, workers: int, rounds: int) -> list[dict]:
    go = tmp_path / "go"
    outs = [tmp_path / f"worker{n}.json" for n in range(workers)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.concurrency.worker",
                str(db),
                str(n),
                str(rounds),
                str(ORDERS),
                str(go),
                str(outs[n]),
            ],
            cwd=ROOT,
        )
        for n in range(workers)
    ]
    go.touch()
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    return [item for out in outs for item in json.loads(out.read_text())]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "shared.db"
    eng = Engine(engine.load(DEFINITION), store=f"sqlite:///{db}", settings=SETTINGS)
    for n in range(ORDERS):
        address = {"name": "A", "address1": "B", "city": "C", "country": "US"}
        data = {"id": f"o{n}", "ship_method": "UPS_GROUND", "ship_to": address}
        eng.create(f"o{n}", data)
    eng.close()
    return db


def test_four_processes_lose_no_update_and_apply_nothing_twice(
    tmp_path: Path, store: Path
) -> None:
    results = run_workers(tmp_path, store, workers=4, rounds=8)
    eng = Engine(engine.load(DEFINITION), store=f"sqlite:///{store}", settings=SETTINGS)

    firsts = [r for r in results if not r.get("repeat")]
    for n in range(ORDERS):
        order_id = f"o{n}"
        applied = [r for r in firsts if r["order_id"] == order_id and "version" in r]
        versions = sorted(r["version"] for r in applied)
        # Created at version 1; each applied event made exactly one new version.
        assert versions == list(range(2, len(applied) + 2)), order_id
        assert eng.get(order_id).version == len(applied) + 1

        journal = eng.history(order_id)
        outside = [e for e in journal if e.actor and e.actor.startswith("worker")]
        assert Counter(e.kind for e in outside) == Counter(
            APPLIED if "version" in r else REFUSED for r in firsts if r["order_id"] == order_id
        )
        assert all(e.reason for e in outside if e.kind == REFUSED)
        state = None
        for entry in journal:
            if entry.kind == APPLIED:
                assert entry.source == state
                state = entry.target
        assert state == eng.get(order_id).state
    eng.close()


def test_a_repeated_key_returns_the_first_result(tmp_path: Path, store: Path) -> None:
    results = run_workers(tmp_path, store, workers=2, rounds=4)

    firsts = {r["key"]: r for r in results if not r.get("repeat")}
    repeats = [r for r in results if r.get("repeat")]
    assert repeats
    for repeat in repeats:
        first = firsts[repeat["key"]]
        if "version" in first:
            seen = (repeat["version"], repeat["seq"], repeat["duplicate"])
            assert seen == (first["version"], first["seq"], True)
        else:
            assert "refused" in repeat

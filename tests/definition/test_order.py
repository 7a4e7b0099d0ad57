"""The reference order lifecycle: it validates, and its statuses are those of the design."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.definition.loader import load_definition

ROOT = Path(__file__).resolve().parents[2]
DEFINITION_FILES = sorted((ROOT / "definitions").glob("*.yaml"))

# The status table of the integration manager: id -> (label, API value, meaning).
STATUS_TABLE = {
    "new": ("New", "new", "Downloaded from the cart; will be sent to the WMS."),
    "cancel_sending": (
        "Cancel Sending",
        "new",
        "Downloaded from the cart, but will NOT be sent to the WMS.",
    ),
    "at_wms": ("At WMS", "at_wms", "Sent to the WMS."),
    "shipped": ("Shipped", "shipped", "Tracking received from the WMS."),
    "confirmed": ("Confirmed", "confirmed", "Tracking sent back to the cart."),
    "error": (
        "Error",
        "error",
        "Held because of errors (unmapped ship method, address error); flagged in the UI.",
    ),
    "canceled": (
        "Canceled",
        "canceled",
        "Not shown on the orders screen; still returned by the API.",
    ),
}


def test_order_lifecycle_has_the_status_table(order_definition: Path) -> None:
    definition = load_definition(order_definition)

    found = {s.id: (s.label, s.api_value, s.meaning) for s in definition.states.values()}
    assert found == STATUS_TABLE
    assert list(found) == list(STATUS_TABLE)
    assert definition.initial_state.id == "new"
    assert definition.creation_events == ("download",)


def test_validate_order_in_process(
    order_definition: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(order_definition)]) == 0

    out = capsys.readouterr().out
    assert f"{order_definition}: ok" in out
    assert "1 file valid" in out


def test_validate_order_as_a_program(order_definition: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "engine", "validate", str(order_definition)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 file valid" in result.stdout


@pytest.mark.parametrize("path", DEFINITION_FILES, ids=[p.name for p in DEFINITION_FILES])
def test_every_shipped_definition_is_valid(path: Path) -> None:
    definition = load_definition(path)

    assert definition.source == str(path)
    assert len(definition.digest) == 64
    assert all(state.location.line > 0 for state in definition.states.values())

"""Fixtures shared by every test area."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFINITIONS = ROOT / "definitions"
EXAMPLES = ROOT / "examples"
# The sample payloads live beside the project, never inside it.
SAMPLES = ROOT.parent / "shared" / "samples"


def require_program(name: str) -> str:
    """Return the path of program ``name``, or skip the test when it is missing.

    CI sets LIFECYCLE_REQUIRE_TOOLS=1, where a missing program fails the test instead:
    a skip there would hide that the real renderer was never run.
    """
    path = shutil.which(name)
    if path:
        return path
    if os.environ.get("LIFECYCLE_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{name!r} is required here but is not installed")
    pytest.skip(f"{name!r} is not installed")


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not SAMPLES.is_dir():
        if os.environ.get("LIFECYCLE_REQUIRE_TOOLS") == "1":
            pytest.fail(f"the sample payloads are missing: {SAMPLES}")
        pytest.skip("the sample payloads are not beside the project")
    return SAMPLES


@pytest.fixture(scope="session")
def order_definition() -> Path:
    return DEFINITIONS / "order.yaml"

"""Random JSON into intake and random or mutated YAML into the loader.

Only the project's own errors may come out: any other exception fails the test.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine.errors import LifecycleError
from engine.intake import FORMATS, canonical_order, canonical_shipment, parse_event_line

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = ("order_id", "event", "data", "actor", "at", "idempotency_key", "format")
# Records shaped like events, with each field possibly of the wrong type.
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "order_id": st.text(max_size=6) | JSON,
        "event": st.sampled_from(["download", "ship", "cancel", ""]) | JSON,
        "data": JSON,
        "actor": JSON,
        "at": st.sampled_from(["2026-01-01T00:00:00Z", "yesterday", ""]) | JSON,
        "idempotency_key": JSON,
        "format": st.sampled_from([*FORMATS, "csv"]) | JSON,
    },
)
QUICK = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(JSON)
def test_any_json_line_parses_or_raises_an_intake_error(value: Any) -> None:
    with contextlib.suppress(LifecycleError):
        parse_event_line(json.dumps(value), line=3, source="events.jsonl")


@QUICK
@given(RECORDS)
def test_event_shaped_records_parse_or_raise_a_lifecycle_error(record: dict[str, Any]) -> None:
    try:
        event = parse_event_line(json.dumps(record), line=1)
    except LifecycleError as exc:
        assert str(exc)
    else:
        assert isinstance(event.order_id, str) and isinstance(event.event, str)


@QUICK
@given(st.binary(max_size=60))
def test_any_bytes_as_a_line_raise_only_lifecycle_errors(raw: bytes) -> None:
    with contextlib.suppress(LifecycleError):
        parse_event_line(raw.decode("utf-8", errors="replace"), line=1)


@QUICK
@given(st.sampled_from([None, *FORMATS]), JSON)
def test_any_payload_converts_or_raises_a_lifecycle_error(fmt: str | None, value: Any) -> None:
    for convert in (canonical_order, canonical_shipment):
        with contextlib.suppress(LifecycleError):
            convert(fmt, value)


def mutations(text: str) -> st.SearchStrategy[str]:
    """The text with a slice deleted, duplicated or replaced by random characters."""
    size = len(text)
    return st.tuples(
        st.integers(0, size), st.integers(0, 40), st.text(max_size=6), st.sampled_from("dri")
    ).map(lambda t: _mutate(text, *t))


def _mutate(text: str, at: int, length: int, insert: str, how: str) -> str:
    cut = text[at : at + length]
    if how == "d":
        return text[:at] + text[at + length :]
    if how == "r":
        return text[:at] + cut + cut + text[at + length :]
    return text[:at] + insert + text[at + length :]


ORDER_YAML = (Path(__file__).resolve().parents[2] / "definitions" / "order.yaml").read_text()


@settings(max_examples=60, deadline=None)
@given(mutations(ORDER_YAML))
def test_mutated_definitions_load_or_raise_a_lifecycle_error(text: str) -> None:
    try:
        engine.load(text + "\n")
    except LifecycleError as exc:
        assert str(exc)


@settings(max_examples=60, deadline=None)
@given(JSON)
def test_random_yaml_documents_load_or_raise_a_lifecycle_error(value: Any) -> None:
    with contextlib.suppress(LifecycleError):
        engine.load(json.dumps(value) + "\n")

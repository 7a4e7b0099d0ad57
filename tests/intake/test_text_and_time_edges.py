"""The log reader refuses text UTF-8 cannot hold, control characters in ids, and far times."""

from __future__ import annotations

import pytest

from engine.errors import IntakeError
from engine.intake import LogEvent, read_event_lines


def read_one(text: str) -> LogEvent | IntakeError:
    items = list(read_event_lines([text.encode("ascii")], source="log.jsonl"))
    assert len(items) == 1
    return items[0]


@pytest.mark.parametrize(
    "text",
    [
        '{"order_id": "A\\ud800", "event": "cancel"}',
        '{"order_id": "A", "event": "cancel\\udc00"}',
        '{"order_id": "A", "event": "cancel", "actor": "\\ud800"}',
        '{"order_id": "A", "event": "cancel", "idempotency_key": "k\\udbff"}',
        '{"order_id": "A", "event": "cancel", "data": {"deep": [{"x": "\\ud800"}]}}',
        '{"order_id": "A", "event": "cancel", "data": {"\\ud800": 1}}',
    ],
)
def test_a_lone_surrogate_anywhere_is_a_malformed_line(text):
    item = read_one(text)
    assert isinstance(item, IntakeError)
    assert "log.jsonl:1: " in str(item) and "not valid Unicode" in str(item)


def test_a_surrogate_pair_is_a_real_character_and_is_read():
    item = read_one('{"order_id": "A", "event": "cancel", "actor": "\\ud83d\\ude00"}')
    assert isinstance(item, LogEvent) and item.actor == "😀"
    assert item.key.startswith("derived:")


@pytest.mark.parametrize("escape", ["\\u0000", "\\n", "\\u001f", "\\u007f"])
def test_control_characters_in_an_order_id_are_malformed(escape):
    item = read_one('{"order_id": "A' + escape + 'B", "event": "cancel"}')
    assert isinstance(item, IntakeError) and "control character" in str(item)


@pytest.mark.parametrize(
    "at",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:30:00Z",
        "1969-12-31T23:59:59Z",
        "9001-01-01T00:00:00Z",
    ],
)
def test_times_outside_the_sane_years_are_malformed(at):
    item = read_one('{"order_id": "A", "event": "cancel", "at": "' + at + '"}')
    assert isinstance(item, IntakeError)
    assert repr(at) in str(item) and "1970-9000" in str(item)


@pytest.mark.parametrize("at", ["1970-01-01T00:00:00Z", "9000-12-31T23:59:59-14:00"])
def test_times_at_the_edges_of_the_range_are_read(at):
    item = read_one('{"order_id": "A", "event": "cancel", "at": "' + at + '"}')
    assert isinstance(item, LogEvent)
    assert item.key.startswith("derived:")

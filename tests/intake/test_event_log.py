"""Reading event logs: good lines, every kind of malformed line, and random input."""

from __future__ import annotations

import json
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import IntakeError
from engine.intake import LogEvent, derived_key, read_event_lines, read_event_log

GOOD = {"order_id": "A-1", "event": "cancel"}


def write_log(tmp_path: Path, *lines: str | bytes) -> Path:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines))
    return path


def line(**fields: Any) -> str:
    return json.dumps(fields)


class TestGoodLines:
    def test_every_field_is_read(self, tmp_path: Path) -> None:
        path = write_log(
            tmp_path,
            line(
                order_id="A-1",
                event="retry",
                data={"ship_method": "express"},
                actor="ops:kim",
                at="2026-03-02T09:30:00.250+02:00",
                idempotency_key="k-1",
            ),
        )

        [event] = list(read_event_log(path))

        assert isinstance(event, LogEvent)
        assert (event.line, event.order_id, event.event) == (1, "A-1", "retry")
        assert event.data == {"ship_method": "express"}
        assert event.actor == "ops:kim" and event.idempotency_key == "k-1"
        assert event.at == datetime(2026, 3, 2, 7, 30, 0, 250000, tzinfo=UTC)
        assert event.at.utcoffset() == timedelta(hours=2)
        assert event.format is None and event.key == "k-1"
        assert json.loads(event.raw)["actor"] == "ops:kim"

    def test_blank_lines_are_skipped_and_numbers_kept(self, tmp_path: Path) -> None:
        path = write_log(tmp_path, "", line(**GOOD), "   \t", line(**GOOD) + "\r")

        events = list(read_event_log(path))

        assert [e.line for e in events if isinstance(e, LogEvent)] == [2, 4]

    def test_null_optional_keys_count_as_absent(self) -> None:
        text = line(**GOOD, data=None, actor=None, at=None, idempotency_key=None, format=None)
        [event] = read_event_lines([text])
        assert isinstance(event, LogEvent)
        assert event.data == {} and event.actor is None and event.at is None

    def test_a_canonical_download_gets_its_id_from_the_line(self) -> None:
        [event] = read_event_lines([line(order_id="A-9", event="download", data={})])
        assert isinstance(event, LogEvent)
        assert event.data["id"] == "A-9"
        assert event.data["ship_to"]["country"] == ""

    def test_a_raw_ship_event_is_turned_into_packages(self) -> None:
        data = {"shipments": [{"carrier": "UPS", "method": "28", "tracking_no": "1Z9"}]}
        text = line(order_id="A-1", event="ship", format="integration-manager", data=data)

        [event] = read_event_lines([text])

        assert isinstance(event, LogEvent)
        assert event.data == {"packages": [{"carrier": "UPS", "method": "28", "tracking": "1Z9"}]}

    def test_a_correction_stays_partial_so_a_merge_keeps_the_rest(self) -> None:
        data = {"ship_method": "express", "ship_to": {"postal_code": "90001"}}
        [event] = read_event_lines([line(order_id="A-1", event="retry", data=data)])

        assert isinstance(event, LogEvent)
        assert event.data == data

    def test_a_file_that_cannot_be_read_is_an_error_at_once(self, tmp_path: Path) -> None:
        with pytest.raises(IntakeError, match="cannot read the event log"):
            read_event_log(tmp_path / "missing.jsonl")


class TestDerivedKey:
    def key_of(self, **fields: Any) -> str:
        [event] = read_event_lines([line(**fields)])
        assert isinstance(event, LogEvent)
        return derived_key(event)

    def test_the_same_content_gives_the_same_key(self) -> None:
        first = self.key_of(order_id="A", event="ship", data={"packages": [], "x": 1})
        # Key order, spacing and the actor do not change the event.
        again = self.key_of(data={"x": 1, "packages": []}, event="ship", order_id="A", actor="b")
        assert first == again
        assert first.startswith("derived:")

    @pytest.mark.parametrize(
        "change",
        [
            {"order_id": "B"},
            {"event": "cancel"},
            {"data": {"packages": [], "x": 2}},
            {"at": "2026-03-02T09:00:00Z"},
        ],
        ids=["order_id", "event", "data", "at"],
    )
    def test_each_part_of_the_content_changes_the_key(self, change: dict[str, Any]) -> None:
        base = {"order_id": "A", "event": "ship", "data": {"packages": [], "x": 1}}
        assert self.key_of(**base) != self.key_of(**{**base, **change})

    def test_one_instant_in_two_offsets_gives_one_key(self) -> None:
        utc = self.key_of(**GOOD, at="2026-03-02T09:00:00Z")
        assert utc == self.key_of(**GOOD, at="2026-03-02T10:00:00+01:00")

    def test_a_given_key_wins(self) -> None:
        [event] = read_event_lines([line(**GOOD, idempotency_key="cart-webhook-77")])
        assert isinstance(event, LogEvent)
        assert event.key == "cart-webhook-77"
        assert event.key != derived_key(event)


BAD_LINES: list[tuple[str, bytes | str, str]] = [
    ("bad json", '{"order_id": "A", "event": }', "not valid JSON: Expecting value at column 28"),
    ("truncated", '{"order_id": "A"', "not valid JSON"),
    ("not an object", '["A", "cancel"]', "the line is a list"),
    ("a bare string", '"cancel"', "the line is a string"),
    ("missing order_id", line(event="cancel"), "no 'order_id'"),
    ("missing event", line(order_id="A"), "no 'event'"),
    ("order_id a number", line(order_id=42, event="cancel"), "order_id is 42; expected"),
    ("empty event", line(order_id="A", event=" "), "event is ' '; expected a non-empty"),
    ("data a list", line(**GOOD, data=[1]), "data is a list"),
    ("data a string", line(**GOOD, data="x"), "data is a string"),
    ("at without offset", line(**GOOD, at="2026-03-02T09:00:00"), "at is '2026-03-02T09:00:00'"),
    ("at not a date", line(**GOOD, at="yesterday"), "expected an RFC 3339 time"),
    ("at out of range", line(**GOOD, at="2026-02-30T09:00:00Z"), "not a real time"),
    ("at a number", line(**GOOD, at=1772442000), "at is 1772442000"),
    ("unknown format", line(order_id="A", event="download", format="csv"), "format is 'csv'"),
    ("format on cancel", line(**GOOD, format="shopify"), "only download and ship events"),
    ("unknown keys", line(**GOOD, when="now", who="me"), "unknown keys 'when', 'who'"),
    ("duplicate key", '{"order_id": "A", "event": "x", "event": "y"}', "'event' appears twice"),
    ("NaN", line(**GOOD, data={"weight": float("nan")}), "NaN is not a JSON value"),
    ("not utf-8", b'{"order_id": "\xff", "event": "x"}', "not UTF-8"),
    ("actor a list", line(**GOOD, actor=["ops"]), r"actor is \['ops'\]"),
    ("empty idempotency key", line(**GOOD, idempotency_key=""), "idempotency_key is ''"),
    (
        "raw order without id",
        line(order_id="A", event="download", format="shopify", data={"name": "#1"}),
        r"download data: the Shopify order has no 'id' \(at id\)",
    ),
    (
        "canonical order ill-typed",
        line(order_id="A", event="download", data={"lines": [{"sku": "X", "quantity": "2"}]}),
        r"lines\[0\]\.quantity is '2'",
    ),
    (
        "canonical id not the line's",
        line(order_id="A", event="download", data={"id": "B"}),
        r"id 'B' differs from the line's order_id 'A'",
    ),
    (
        "retry correction ill-typed",
        line(order_id="A", event="retry", data={"ship_to": {"address1": 5}}),
        r"retry data: ship_to\.address1 is 5",
    ),
    (
        "ship packages ill-typed",
        line(order_id="A", event="ship", data={"packages": "1Z"}),
        "packages is a string",
    ),
]


class TestMalformedLines:
    @pytest.mark.parametrize(
        ("bad", "message"), [c[1:] for c in BAD_LINES], ids=[c[0] for c in BAD_LINES]
    )
    def test_each_kind_yields_an_error_with_its_line_number(
        self, tmp_path: Path, bad: bytes | str, message: str
    ) -> None:
        path = write_log(tmp_path, line(**GOOD), "", bad, line(**GOOD))

        results = list(read_event_log(path))

        assert [type(r) for r in results] == [LogEvent, IntakeError, LogEvent]
        error = results[1]
        assert isinstance(error, IntakeError)
        assert (error.source, error.line) == (str(path), 3)
        assert str(error).startswith(f"{path}:3: ")
        assert re.search(message, str(error)), str(error)

    def test_a_log_of_only_bad_lines_reads_to_the_end(self, tmp_path: Path) -> None:
        path = write_log(tmp_path, *(c[1] for c in BAD_LINES))

        results = list(read_event_log(path))

        assert all(isinstance(r, IntakeError) for r in results)
        assert [r.line for r in results if isinstance(r, IntakeError)] == list(
            range(1, len(BAD_LINES) + 1)
        )


def test_a_log_built_from_the_samples_reads_cleanly(tmp_path: Path, samples_dir: Path) -> None:
    def load(name: str) -> Any:
        return json.loads((samples_dir / name).read_text(encoding="utf-8"))

    shopify = load("shopify/order.json")["order"]
    listed = load("integration-manager/orders-list.json")["response"][0]
    status = load("integration-manager/orders-status.json")
    retrieved = load("integration-manager/orders-retrieve.json")
    path = write_log(
        tmp_path,
        line(order_id="S-1", event="download", format="shopify", data=shopify),
        line(
            order_id="S-1", event="ship", format="shopify", data=load("shopify/fulfillment.json")
        ),
        line(order_id="I-1", event="download", format="integration-manager", data=listed),
        line(order_id="I-1", event="ship", format="integration-manager", data=status),
        line(
            order_id="I-2",
            event="download",
            format="integration-manager",
            data=retrieved,
        ),
    )

    events = list(read_event_log(path))

    assert all(isinstance(e, LogEvent) for e in events), events
    downloads = [e for e in events if isinstance(e, LogEvent) and e.event == "download"]
    assert [e.data["id"] for e in downloads] == [
        str(shopify["id"]),
        listed["cust_ref"],
        retrieved["response"]["cust_ref"],
    ]
    ships = [e for e in events if isinstance(e, LogEvent) and e.event == "ship"]
    assert (
        ships[1].data["packages"][0]["tracking"]
        == status["response"]["shipments"][0]["tracking_no"]
    )


# Random input: whatever comes in, only events and IntakeErrors come out.

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
line_keys = st.sampled_from(
    ["order_id", "event", "data", "actor", "at", "idempotency_key", "format", "other"]
)
field_values = (
    json_values
    | st.sampled_from(
        ["download", "ship", "shopify", "integration-manager", "2026-03-02T09:00:00Z"]
    )
    | st.fixed_dictionaries(
        {"id": json_values, "line_items": json_values, "shipments": json_values}
    )
)
records = st.dictionaries(line_keys, field_values, max_size=7)
lines = (
    records.map(lambda r: json.dumps(r))
    | json_values.map(lambda v: json.dumps(v))
    | st.text(max_size=30)
    | st.binary(max_size=30)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines, max_size=8))
def test_random_lines_give_only_events_or_intake_errors(given_lines: list[str | bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.jsonl"
        path.write_bytes(
            b"".join(
                (x if isinstance(x, bytes) else x.encode("utf-8", "surrogatepass")).replace(
                    b"\n", b" "
                )
                + b"\n"
                for x in given_lines
            )
        )
        results = list(read_event_log(path))

    assert all(isinstance(r, LogEvent | IntakeError) for r in results)
    numbers = [r.line for r in results]
    assert numbers == sorted(numbers) and all(1 <= n <= len(given_lines) for n in numbers)

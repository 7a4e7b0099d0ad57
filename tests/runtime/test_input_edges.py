"""Inputs at the edges: text UTF-8 cannot hold, times near the calendar's end, absurd waits."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from engine.cli import main
from engine.clock import isoformat
from engine.errors import IntakeError, SettingsError
from engine.hooks.adapter import HookCall, HookOutcome
from engine.hooks.adapters import HttpAdapter
from engine.hooks.outbox import MAX_RETRY_DELAY
from engine.settings import load_settings_file
from tests.runtime.conftest import order_data, snapshot

SETTINGS = {"ship_method_map": {"UPS_GROUND": {"carrier": "UPS", "method": "03"}}}
LONE = "\ud800"
DAY = 24 * 3600.0


# -- the engine's own checks ----------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    ["order_id", "event", "actor", "idempotency_key", "data_value", "data_key"],
)
def test_send_refuses_a_lone_surrogate_and_writes_nothing(engine, db_path, field):
    engine.create("A-1", order_data("A-1"))
    before = snapshot(db_path)
    order_id, event, data = "A-1", "cancel", {"note": "x"}
    options: dict[str, str] = {}
    if field == "order_id":
        order_id = "A" + LONE
    elif field == "event":
        event = "cancel" + LONE
    elif field == "data_value":
        data = {"note": ["fine", "bad" + LONE]}
    elif field == "data_key":
        data = {"no" + LONE: 1}
    else:
        options[field] = "ops" + LONE

    with pytest.raises(IntakeError, match="not valid Unicode") as caught:
        engine.send(order_id, event, data, **options)

    assert "order" in str(caught.value)
    assert snapshot(db_path) == before


def test_create_refuses_a_lone_surrogate_in_the_data(engine, db_path):
    with pytest.raises(IntakeError, match=r"data\.ship_to\.city"):
        engine.create("A-2", order_data("A-2", ship_to={"city": "Z" + LONE}))
    assert snapshot(db_path)["orders"] == []


@pytest.mark.parametrize("order_id", ["A\x00", "A\nB", "A\x1f", "\x7fA", "A\tB"])
def test_control_characters_in_an_order_id_are_refused(engine, db_path, order_id):
    with pytest.raises(IntakeError, match="control character"):
        engine.create(order_id, order_data("A-3"))
    assert snapshot(db_path)["orders"] == []


def test_printable_unicode_order_ids_are_still_taken(engine):
    assert engine.create("Bestellung-ä-😀", order_data("X")).state == "new"


# -- time formatting never raises -----------------------------------------------------------


@pytest.mark.parametrize("when", [253_402_300_800.0, -1e20, math.inf, math.nan])
def test_isoformat_beyond_the_calendar_shows_the_number(when):
    assert isoformat(when) == repr(when)


def test_isoformat_in_range_is_rfc3339():
    assert isoformat(0.0) == "1970-01-01T00:00:00Z"


# -- the retry delay is capped --------------------------------------------------------------


def test_a_huge_retry_after_is_capped_at_give_up_after(engine, wms, clock):
    # wms_create_order gives up after 15 days.
    wms.answers["create_order"] = lambda call: HookOutcome.retry("later", 1e12)
    engine.create("R-1", order_data("R-1"))
    engine.dispatch()
    assert engine.pending_calls("R-1")[0].next_due == clock.now() + 15 * DAY


def test_an_infinite_retry_after_is_capped_too(engine, wms, clock):
    wms.answers["create_order"] = lambda call: HookOutcome.retry("later", math.inf)
    engine.create("R-2", order_data("R-2"))
    engine.dispatch()
    assert engine.pending_calls("R-2")[0].next_due == clock.now() + 15 * DAY


def test_without_give_up_after_the_delay_is_capped_at_a_week(engine, wms, clock):
    engine.create("R-3", order_data("R-3"))
    engine.dispatch()
    # wms_cancel_order has no give_up_after.
    wms.answers["cancel_order"] = lambda call: HookOutcome.retry("later", 1e15)
    engine.send("R-3", "cancel")
    engine.dispatch()
    calls = [c for c in engine.pending_calls("R-3") if c.hook == "wms_cancel_order"]
    assert calls[0].next_due == clock.now() + MAX_RETRY_DELAY


class _SlowDown(BaseHTTPRequestHandler):
    """Always 429, with the Retry-After the server was given."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(429)
        self.send_header("Retry-After", self.server.retry_after)  # type: ignore[attr-defined]
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def slow_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowDown)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("9" * 400, 365 * DAY),  # more digits than a float holds
        (str(10 * 365 * 24 * 3600), 365 * DAY),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 365 * DAY),
        ("Mon, 01 Jan 99999 00:00:00 GMT", None),
        ("120", 120.0),
    ],
)
def test_http_adapter_caps_or_ignores_absurd_retry_after(slow_server, header, expected):
    slow_server.retry_after = header  # type: ignore[attr-defined]
    host, port = slow_server.server_address[:2]
    call = HookCall(1, "H-1", "wms_create_order", "wms", "create_order", "H-1:k", {})
    with HttpAdapter(f"http://{host}:{port}/hooks", "wms", timeout=2.0, clock=lambda: 0.0) as a:
        outcome = a.deliver(call)
    assert outcome.status == "retry"
    assert outcome.retry_after == expected


# -- settings -------------------------------------------------------------------------------


def test_a_settings_file_that_is_not_utf8_is_a_settings_error(tmp_path):
    path = tmp_path / "account.yaml"
    path.write_bytes(b"ship_method_map: {}\nnote: caf\xe9\n")
    with pytest.raises(SettingsError, match=r"account\.yaml.*not UTF-8.*0xe9"):
        load_settings_file(path)


# -- the command line -----------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, order_definition: Path) -> dict[str, Path]:
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps(SETTINGS))
    return {
        "definition": order_definition,
        "settings": settings,
        "db": tmp_path / "edges.db",
        "log": tmp_path / "events.jsonl",
    }


def run_log(cli: dict[str, Path], *lines: str) -> int:
    cli["log"].write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return main(["run", str(cli["definition"]), str(cli["log"]), "--db", str(cli["db"]),
                 "--settings", str(cli["settings"])])  # fmt: skip


def download(order_id: str, **extra: object) -> str:
    record = {"order_id": order_id, "event": "download", "data": order_data(order_id), **extra}
    return json.dumps(record)


def test_run_reports_lone_surrogates_and_bad_times_as_malformed_and_goes_on(cli, capsys):
    lines = [
        '{"order_id": "E-\\ud800", "event": "cancel"}',
        '{"order_id": "E-1", "event": "cancel", "actor": "\\udfff"}',
        '{"order_id": "E-1", "event": "cancel", "idempotency_key": "k\\ud800"}',
        '{"order_id": "E-1", "event": "cancel", "data": {"note": "\\ud800"}}',
        '{"order_id": "E-1", "event": "cancel", "at": "0001-01-01T00:00:00+14:00"}',
        '{"order_id": "E-1", "event": "cancel", "at": "9999-12-31T23:30:00Z"}',
        '{"order_id": "E-\\u0007", "event": "cancel"}',
        download("E-2"),
    ]
    assert run_log(cli, *lines) == 1

    out = capsys.readouterr().out
    assert "1 events applied" in out and "7 malformed" in out
    for number in range(1, 8):
        assert f"events.jsonl:{number}: " in out
    assert main(["show", "E-2", "--db", str(cli["db"]), "--settings", str(cli["settings"]),
                 "--definition", str(cli["definition"])]) == 0  # fmt: skip


def test_an_idempotency_conflict_in_run_is_a_refused_event(cli, capsys):
    first = download("K-1", idempotency_key="shared")
    second = json.dumps({"order_id": "K-1", "event": "cancel", "idempotency_key": "shared"})
    assert run_log(cli, first, second) == 0

    out = capsys.readouterr().out
    refused = out.split("Refused events:")[1]
    assert "line 2: idempotency key 'shared'" in refused
    assert "Malformed lines" not in out


def test_run_with_a_missing_log_leaves_no_database(cli, tmp_path, capsys):
    code = main(["run", str(cli["definition"]), str(tmp_path / "missing.jsonl"),
                 "--db", str(cli["db"]), "--settings", str(cli["settings"])])  # fmt: skip
    assert code == 1
    assert "missing.jsonl" in capsys.readouterr().err
    assert not cli["db"].exists()


def test_run_with_a_non_utf8_settings_file_is_an_error_naming_it(cli, capsys):
    cli["settings"].write_bytes(b"\xff\xfe{}")
    assert run_log(cli, download("S-1")) == 1
    assert "settings.json" in capsys.readouterr().err


def send(cli: dict[str, Path], *args: str) -> int:
    return main(["send", *args, "--db", str(cli["db"]), "--settings", str(cli["settings"]),
                 "--definition", str(cli["definition"])])  # fmt: skip


def test_send_of_a_non_creation_event_needs_an_existing_database(cli, capsys):
    assert send(cli, "NOPE", "cancel") == 1
    assert f"no database at {cli['db']}" in capsys.readouterr().err
    assert not cli["db"].exists()


def test_send_of_a_creation_event_still_creates_the_database(cli):
    assert send(cli, "N-1", "download", "--data", json.dumps(order_data("N-1"))) == 0
    assert cli["db"].exists()


@pytest.mark.parametrize("version", ["-1", "0", "x"])
def test_send_refuses_an_expected_version_below_one_as_usage(cli, version, capsys):
    with pytest.raises(SystemExit) as caught:
        send(cli, "N-1", "cancel", "--expected-version", version)
    assert caught.value.code == 2
    assert "--expected-version" in capsys.readouterr().err
    assert not cli["db"].exists()

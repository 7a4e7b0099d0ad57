"""Bad input a new user is likely to try: each gets a clear engine error and writes nothing."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine import IdempotencyConflict
from engine.cli import main
from engine.clock import ManualClock
from engine.errors import EventRefused, IntakeError, LifecycleError, StoreError
from engine.runtime import Engine
from engine.store import open_store
from tests.runtime.conftest import order_data, snapshot
from tests.runtime.test_machine import AWKWARD, lifecycle_of

# -- 1. idempotency keys ------------------------------------------------------------------


class TestIdempotencyKeys:
    def test_the_same_request_again_returns_the_first_result(self, engine):
        first = engine.create("K-1", order_data("K-1"), idempotency_key="k1")
        again = engine.create("K-1", order_data("K-1"), idempotency_key="k1")
        assert again.duplicate and again.as_dict() == first.as_dict()

    @pytest.mark.parametrize(
        "order_id, event, data, differs",
        [
            ("K-9", "download", order_data("K-1"), ("order_id",)),
            ("K-1", "download", order_data("K-1", ship_method="BOAT"), ("data",)),
            ("K-1", "cancel_sending", None, ("event", "data")),
        ],
    )
    def test_a_key_reused_for_another_request_is_refused(
        self, engine, db_path, order_id, event, data, differs
    ):
        engine.create("K-1", order_data("K-1"), idempotency_key="k1")
        before = snapshot(db_path)

        with pytest.raises(IdempotencyConflict) as raised:
            engine.send(order_id, event, data, idempotency_key="k1")

        assert raised.value.key == "k1" and raised.value.differs == differs
        assert isinstance(raised.value, LifecycleError)
        message = str(raised.value)
        assert "idempotency key 'k1'" in message and "order 'K-1'" in message
        assert "event data" in message if "data" in differs else "event data" not in message
        assert snapshot(db_path) == before

    def test_a_key_whose_first_use_was_refused_is_checked_too(self, engine, db_path):
        engine.create("K-2", order_data("K-2"))
        with pytest.raises(EventRefused):
            engine.send("K-2", "ship", {}, idempotency_key="ship-1")
        with pytest.raises(EventRefused):  # the same request: the first refusal again
            engine.send("K-2", "ship", {}, idempotency_key="ship-1")

        before = snapshot(db_path)
        with pytest.raises(IdempotencyConflict, match="differs in the event data"):
            engine.send("K-2", "ship", {"packages": []}, idempotency_key="ship-1")
        assert snapshot(db_path) == before

    def test_keys_written_before_fingerprints_still_replay(self, engine, db_path):
        first = engine.create("K-3", order_data("K-3"), idempotency_key="old")
        # A row as an engine that kept no fingerprint wrote it.
        with sqlite3.connect(db_path) as db:
            db.execute(
                "UPDATE intake SET result = ? WHERE key = 'old'",
                (json.dumps({"result": first.as_dict()}),),
            )
        again = engine.create("K-3", order_data("K-3", ship_method="BOAT"), idempotency_key="old")
        assert again.duplicate and again.state == first.state

    def test_the_cli_refuses_a_reused_key(self, cli_files, capsys):
        base = ["send", "K-4", "download", *cli_files.common, "--key", "cli-1"]
        data = json.dumps(order_data("K-4"))
        assert main([*base, "--data", data]) == 0
        assert main([*base, "--data", data]) == 0
        assert "duplicate" in capsys.readouterr().out

        before = snapshot(cli_files.db)
        other = json.dumps(order_data("K-4", ship_method="BOAT"))
        assert main([*base, "--data", other]) == 1
        err = capsys.readouterr().err
        assert "idempotency key 'cli-1'" in err and "event data" in err
        assert snapshot(cli_files.db) == before


# -- 2. argument types --------------------------------------------------------------------

BAD_SENDS: list[tuple[str, dict[str, Any], str]] = [
    ("int order id", {"order_id": 1001}, "order_id must be a non-empty str, not 1001"),
    ("None order id", {"order_id": None}, "order_id must be a non-empty str, not None"),
    ("empty order id", {"order_id": ""}, "order_id must be a non-empty str, not ''"),
    ("int event", {"event": 7}, "event must be a non-empty str, not 7"),
    ("NaN", {"data": {"total": math.nan}}, "not strict JSON"),
    ("Infinity", {"data": {"total": math.inf}}, "not strict JSON"),
    ("a set", {"data": {"tags": {"a"}}}, "not strict JSON"),
    ("bytes", {"data": {"raw": b"x"}}, "not strict JSON"),
    ("a list", {"data": [1]}, "must be an object (a mapping), not [1]"),
    ("str version", {"expected_version": "1"}, "expected_version must be an int or None"),
    ("bool version", {"expected_version": True}, "expected_version must be an int or None"),
]


@pytest.mark.parametrize("_name, change, words", BAD_SENDS, ids=[c[0] for c in BAD_SENDS])
def test_bad_arguments_to_send_are_refused_before_any_write(engine, db_path, _name, change, words):
    engine.create("T-1", order_data("T-1"))
    before = snapshot(db_path)
    call: dict[str, Any] = {"order_id": "T-1", "event": "resend_to_wms", "data": None}
    call.update(change)

    with pytest.raises(IntakeError) as raised:
        engine.send(
            call["order_id"],
            call["event"],
            call["data"],
            expected_version=call.get("expected_version"),
        )
    assert words in str(raised.value)
    assert snapshot(db_path) == before


def test_a_new_order_with_nan_data_is_not_stored(engine, db_path):
    with pytest.raises(IntakeError, match="order 'T-2', event 'download'"):
        engine.create("T-2", order_data("T-2", total=math.nan))
    assert snapshot(db_path)["orders"] == []


def test_explain_checks_its_arguments_too(engine):
    engine.create("T-3", order_data("T-3"))
    with pytest.raises(IntakeError, match="order_id must be"):
        engine.explain(3, "ship")  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", [0, -1, "5", 2.5, True])
def test_dispatch_takes_a_positive_int_limit(engine, db_path, limit):
    engine.create("T-4", order_data("T-4"))
    before = snapshot(db_path)
    with pytest.raises(LifecycleError, match=f"positive int or None, not {limit!r}"):
        engine.dispatch(limit)
    assert snapshot(db_path) == before
    assert engine.dispatch(1).delivered == 1


# -- 3. Python guards ---------------------------------------------------------------------


def guarded(tmp_path: Path, guard: Callable[..., Any]) -> Engine:
    return Engine(
        lifecycle_of(AWKWARD), tmp_path / "g.db", guards={"approved": guard}, clock=ManualClock()
    )


def test_a_guard_that_is_not_callable_is_refused_at_construction(tmp_path):
    with pytest.raises(LifecycleError, match="'approved' is registered as 5, which is not call"):
        Engine(lifecycle_of(AWKWARD), tmp_path / "g.db", guards={"approved": 5})


@pytest.mark.parametrize(
    "answer, words",
    [
        (lambda o, e, s: "yes", "the Python guard gave 'yes', not True or False"),
        (lambda o, e, s: None, "the Python guard gave None, not True or False"),
        (lambda o, e, s: 1 / 0, "the Python guard raised ZeroDivisionError"),
        (lambda o, e, s: o["nope"], "the Python guard raised KeyError('nope')"),
    ],
)
def test_a_python_guard_that_gives_no_bool_does_not_hold(tmp_path, answer, words):
    engine = guarded(tmp_path, answer)
    engine.send("P-1", "send", {"id": "P-1", "total": 1})  # 'big' refuses, 'approved' is asked
    before = snapshot(tmp_path / "g.db")

    with pytest.raises(EventRefused) as refused:
        engine.send("P-1", "configuration")
    assert "guard 'approved', which could not be evaluated: " + words in str(refused.value)
    assert [r.guard for r in refused.value.refusals] == ["big", "approved"]
    assert engine.allowed_events("P-1") == ()
    assert not engine.explain("P-1", "configuration").allowed

    added = {t for t, rows in snapshot(tmp_path / "g.db").items() if rows != before[t]}
    assert added == {"journal"}  # the refused entry, nothing else
    engine.close()


# -- 4. store URLs ------------------------------------------------------------------------


def test_a_sqlite_url_with_two_slashes_says_how_to_write_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as raised:
        open_store("sqlite://orders.db")
    message = str(raised.value)
    assert "'sqlite:///orders.db'" in message and "'sqlite:////abs/path.db'" in message
    assert list(tmp_path.iterdir()) == []


def test_an_unbuilt_backend_names_the_ones_that_exist():
    with pytest.raises(NotImplementedError) as raised:
        open_store("postgresql://localhost/orders")
    assert "'postgresql'" in str(raised.value)
    assert "sqlite:///PATH" in str(raised.value) and "memory:" in str(raised.value)


# -- 5. the command line ------------------------------------------------------------------


class CliFiles:
    def __init__(self, tmp_path: Path, definition: Path, settings: bool = True) -> None:
        self.db = tmp_path / "cli.db"
        self.settings = tmp_path / "settings.json"
        self.settings.write_text(json.dumps({"ship_method_map": {"UPS_GROUND": {}}}))
        self.definition = definition
        self.common = ["--db", str(self.db), "--definition", str(definition)]
        self.common += ["--settings", str(self.settings)]


@pytest.fixture
def cli_files(tmp_path: Path, order_definition: Path) -> CliFiles:
    return CliFiles(tmp_path, order_definition)


@pytest.mark.parametrize("interval", ["-1", "0", "nan", "soon"])
def test_dispatch_refuses_a_non_positive_interval(cli_files, capsys, interval):
    with pytest.raises(SystemExit) as exited:
        main(["dispatch", *cli_files.common, "--interval", interval])
    assert exited.value.code == 2
    assert "--interval" in capsys.readouterr().err
    assert not cli_files.db.exists()


@pytest.mark.parametrize("command", [["show", "X-1"], ["orders"], ["dispatch"]])
def test_reading_commands_do_not_create_a_database(cli_files, capsys, command):
    assert main([*command, *cli_files.common]) == 1
    assert f"no database at {cli_files.db}" in capsys.readouterr().err
    assert not cli_files.db.exists()


def test_defaults_are_told_on_stderr(cli_files, order_definition, capsys):
    data = json.dumps(order_data("N-1"))
    no_settings = ["--db", str(cli_files.db), "--definition", str(order_definition)]
    assert main(["send", "N-1", "download", "--data", data, *no_settings]) == 0
    err = capsys.readouterr().err
    assert "no --settings given; using the definition's defaults for" in err
    assert "ship_method_map" in err

    assert main(["dispatch", *cli_files.common]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no --wms/--cart given" in err and "simulated" in err

    assert main(["dispatch", *cli_files.common, "--wms", "simulated", "--cart", "record"]) == 0
    assert capsys.readouterr().err == ""


def test_ctrl_c_in_dispatch_forever_exits_130(cli_files, capsys, monkeypatch):
    assert main(["send", "N-2", "download", "--data", "{}", *cli_files.common]) == 0

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    # Where a person presses Ctrl-C: while dispatch waits for the next run.
    monkeypatch.setattr("engine.cli.orders.time.sleep", interrupted)
    assert main(["dispatch", *cli_files.common, "--forever", "--interval", "0.5"]) == 130
    assert "interrupted" in capsys.readouterr().err


# -- 6. journal clarity -------------------------------------------------------------------


def test_a_fallback_transition_journals_the_guards_that_refused(engine):
    engine.create("F-1", order_data("F-1", ship_method="BOAT"))

    entry = engine.history("F-1")[0]
    assert (entry.kind, entry.source, entry.target) == ("applied", None, "error")
    assert "guard 'ship_method_mapped'" in (entry.reason or "")
    assert "order.ship_method='BOAT'" in (entry.reason or "")

    plain = engine.create("F-2", order_data("F-2"))
    assert plain.state == "new" and engine.history("F-2")[0].reason is None


def test_show_and_send_say_created_and_why(cli_files, capsys):
    data = json.dumps(order_data("F-3", ship_method="BOAT"))
    assert main(["send", "F-3", "download", "--data", data, *cli_files.common]) == 0
    out = capsys.readouterr().out
    assert "F-3: (created) -> error" in out and "None" not in out

    assert main(["show", "F-3", *cli_files.common]) == 0
    out = capsys.readouterr().out
    line = next(row for row in out.splitlines() if "applied" in row)
    assert "download (created) -> error" in line
    assert "guard 'ship_method_mapped'" in line and "order.ship_method='BOAT'" in line


# -- 7. refusal messages and allowed_events -----------------------------------------------


def test_a_refusal_lists_what_the_state_takes_and_allowed_events_is_a_part_of_it(engine):
    engine.create("R-1", order_data("R-1"))
    engine.dispatch()

    with pytest.raises(EventRefused) as refused:
        engine.send("R-1", "retry")
    message = str(refused.value)
    assert "allowed now:" not in message
    assert "events state 'at_wms' takes: " in message
    takes = message.split("takes: ", 1)[1]
    assert "'ship'" in takes  # taken by the state, though its guard needs packages

    allowed = engine.allowed_events("R-1")
    assert "ship" not in allowed
    assert all(repr(name) in takes for name in allowed)

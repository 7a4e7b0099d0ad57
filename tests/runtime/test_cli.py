"""The order commands, run in-process against a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.cli import main
from tests.conftest import EXAMPLES
from tests.runtime.conftest import order_data, snapshot

SETTINGS = {"ship_method_map": {"UPS_GROUND": {"carrier": "UPS", "method": "03"}}}


def log_line(order_id: str, event: str, data: dict | None = None, at: str = "") -> str:
    record = {"order_id": order_id, "event": event, "at": at or "2026-03-02T09:00:00Z"}
    if data is not None:
        record["data"] = data
    return json.dumps(record)


@pytest.fixture
def files(tmp_path: Path, order_definition: Path) -> dict[str, str]:
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps(SETTINGS))
    log = tmp_path / "events.jsonl"
    lines = [
        log_line("C-1", "download", order_data("C-1")),
        log_line("C-2", "download", order_data("C-2", ship_method="BOAT")),
        # The simulated WMS answers "try later" for this one, so it is still New.
        log_line("C-3", "download", order_data("C-3", wms_status="unavailable")),
        log_line("C-3", "cancel_sending", at="2026-03-02T09:01:00Z"),
        log_line("C-1", "ship", {"packages": [{"carrier": "UPS", "tracking": "1Z"}]}),
        log_line("C-2", "ship", {"packages": []}),
    ]
    log.write_text("\n".join(lines) + "\n")
    db = tmp_path / "cli.db"
    return {
        "definition": str(order_definition),
        "log": str(log),
        "db": str(db),
        "settings": str(settings),
    }


def run(files: dict[str, str], *extra: str) -> int:
    return main(["run", files["definition"], files["log"], "--db", files["db"],
                 "--settings", files["settings"], *extra])  # fmt: skip


def common(files: dict[str, str]) -> list[str]:
    return ["--db", files["db"], "--settings", files["settings"], "--definition",
            files["definition"]]  # fmt: skip


def test_run_applies_the_log_and_prints_a_summary(files, capsys):
    assert run(files) == 0
    out = capsys.readouterr().out
    assert "5 events applied, 0 duplicates skipped, 1 refused, 0 malformed" in out
    assert "line 6: event 'ship' is not allowed now (order 'C-2' in state 'error')" in out
    assert "Hook calls: 2 delivered, 1 retrying, 0 failed" in out


def test_running_the_same_log_again_changes_nothing(files, capsys):
    run(files)
    before = snapshot(Path(files["db"]))
    assert run(files) == 0
    assert "0 events applied, 5 duplicates skipped, 1 refused" in capsys.readouterr().out
    after = snapshot(Path(files["db"]))
    # The refused line has no result to replay but its stored refusal: no new entry either.
    assert after == before


def test_a_malformed_line_is_reported_with_its_number_and_skipped(files, capsys):
    with open(files["log"], "a") as log:
        log.write("{not json\n")
    assert run(files) == 1
    out = capsys.readouterr().out
    assert "events.jsonl:7: " in out and "Malformed lines" in out


def test_orders_and_show_print_stable_json(files, capsys):
    run(files)
    capsys.readouterr()

    assert main(["orders", *common(files), "--format", "json", "--status", "new"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # the state New, not the API value

    assert main(["orders", *common(files), "--format", "json", "--status", "new_or_at_wms"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["order_id"] for r in rows] == ["C-3"]
    assert {"order_id", "state", "api_value", "version"} <= set(rows[0])
    assert rows[0]["state"] == "cancel_sending"

    assert main(["show", "C-1", *common(files), "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["state"], shown["api_value"], shown["version"]) == ("confirmed", "confirmed", 4)
    assert [e["kind"] for e in shown["journal"]][:2] == ["applied", "hook_delivered"]
    assert shown["pending_hooks"] == []


def test_send_and_dispatch(files, capsys):
    run(files)
    capsys.readouterr()
    args = ["send", "C-3", "resume_sending", *common(files), "--format", "json"]
    assert main(args) == 0
    sent = json.loads(capsys.readouterr().out)
    assert (sent["previous_state"], sent["state"]) == ("cancel_sending", "new")

    # Dispatch runs on the real clock: the call of the first stay in New is dropped, the
    # new one is tried (and the simulated WMS says "later" again).
    assert main(["dispatch", *common(files)]) == 0
    assert "0 delivered, 1 retrying, 0 failed, 0 exhausted, 1 dropped" in capsys.readouterr().out

    assert main(["send", "C-3", "retry", *common(files)]) == 1
    assert "'retry' is not allowed now" in capsys.readouterr().err


def test_the_example_log_reaches_every_status(order_definition, tmp_path, capsys):
    log, settings = EXAMPLES / "events.jsonl", EXAMPLES / "settings.yaml"
    if not log.is_file() or not settings.is_file():
        pytest.skip("the example event log is not there")
    args = ["run", str(order_definition), str(log), "--db", str(tmp_path / "ex.db")]
    assert main([*args, "--settings", str(settings)]) == 0
    out = capsys.readouterr().out
    for label in ("New", "Cancel Sending", "At WMS", "Shipped", "Confirmed", "Error", "Canceled"):
        line = next(row for row in out.splitlines() if row.strip().startswith(label + " "))
        assert int(line.split()[-1]) > 0, line

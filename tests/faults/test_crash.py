"""The short crash test: about twenty SIGKILLs while a child replays a log with hooks.

The long version is ``scripts/crash_soak.py``.
"""

from __future__ import annotations

from pathlib import Path

from tests.faults.crashkit import check, crash_loop, write_log
from tests.faults.hookserver import HookServer


def test_killed_replays_apply_each_event_once_and_lose_no_hook(
    tmp_path: Path, hook_server: HookServer
) -> None:
    db, log = tmp_path / "crash.db", tmp_path / "events.jsonl"
    write_log(log, orders=60, seed=5)

    run = crash_loop(db, log, hook_server, kills=20, seed=5, max_delay=1.0)
    checked = check(db, log, hook_server)

    assert run.kills == 20
    assert checked["hook_calls"] > 40
    assert checked["requests"] >= checked["hook_calls"] - 5  # dropped calls are never sent


def test_the_check_catches_a_lost_hook_call(tmp_path: Path, hook_server: HookServer) -> None:
    """The checker itself: a server that forgot a request must fail the check."""
    db, log = tmp_path / "crash.db", tmp_path / "events.jsonl"
    write_log(log, orders=5, seed=1)
    crash_loop(db, log, hook_server, kills=0, seed=1)

    del hook_server.received[0]

    try:
        check(db, log, hook_server)
    except AssertionError as exc:
        assert "never arrived" in str(exc)
    else:
        raise AssertionError("the check passed although a delivered call never arrived")


def test_killed_lifecycle_run_commands_lose_nothing(
    tmp_path: Path, hook_server: HookServer
) -> None:
    """The same, with ``lifecycle run --wms URL --cart URL`` as the process killed."""
    db, log = tmp_path / "cli.db", tmp_path / "events.jsonl"
    write_log(log, orders=40, seed=9)

    run = crash_loop(db, log, hook_server, kills=10, seed=9, max_delay=1.5, child="cli")
    checked = check(db, log, hook_server)

    assert run.kills == 10
    assert checked["lines"] == len(log.read_text().splitlines())

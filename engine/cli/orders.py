"""Commands that work on orders: ``run``, ``send``, ``orders``, ``show`` and ``dispatch``.

Each opens the store (``--db``, default ``lifecycle.db``) with a lifecycle definition
(``--definition``, default ``definitions/order.yaml``) and the account's settings
(``--settings FILE``). JSON output keys are listed in docs/runtime.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from engine.clock import isoformat
from engine.errors import IdempotencyConflict, IntakeError, LifecycleError, OrderError
from engine.intake import read_event_log
from engine.intake.events import decode_json
from engine.lifecycle import load
from engine.runtime import DispatchCounts, Engine, Order
from engine.settings import load_settings_file, resolve_settings
from engine.store.base import OutboxCall

DEFAULT_DB = "lifecycle.db"
DEFAULT_DEFINITION = "definitions/order.yaml"
PROGRESS_EVERY = 200  # lines between two progress updates on a terminal


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the order commands."""
    run = _command(subparsers, "run", _run, "apply an event log, dispatching hooks as it goes")
    run.add_argument("definition", help="the lifecycle definition (YAML)")
    run.add_argument("events", help="the event log (JSON Lines)")
    _adapter_options(run)

    send = _command(subparsers, "send", _send, "send one event to one order", definition=True)
    send.add_argument("order", help="the order id")
    send.add_argument("event", help="the event name")
    send.add_argument("--data", default=None, help="the event's data, a JSON object")
    send.add_argument("--actor", default=None, help="who sends it (journaled)")
    send.add_argument("--key", default=None, help="an idempotency key")
    send.add_argument(
        "--expected-version",
        type=_positive(int),
        default=None,
        help="refuse if changed (versions start at 1)",
    )
    _format_option(send)

    orders = _command(subparsers, "orders", _orders, "list orders", definition=True)
    orders.add_argument("--status", default=None, help="a state id, an API value or a filter")
    _format_option(orders)

    show = _command(subparsers, "show", _show, "show one order and its journal", definition=True)
    show.add_argument("order", help="the order id")
    _format_option(show)

    dispatch = _command(subparsers, "dispatch", _dispatch, "deliver due hook calls", True)
    dispatch.add_argument("--forever", action="store_true", help="keep dispatching")
    dispatch.add_argument(
        "--interval", type=_positive(float), default=5.0, help="seconds between runs"
    )
    dispatch.add_argument(
        "--limit", type=_positive(int), default=None, help="calls per run at most"
    )
    _adapter_options(dispatch)


def _command(
    subparsers: argparse._SubParsersAction,
    name: str,
    handler: Any,
    help_text: str,
    definition: bool = False,
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name, help=help_text, description=help_text[0].upper() + help_text[1:] + "."
    )
    parser.set_defaults(handler=handler)
    parser.add_argument("--db", default=DEFAULT_DB, help=f"the SQLite file (default {DEFAULT_DB})")
    parser.add_argument("--settings", default=None, help="account settings (JSON or YAML file)")
    if definition:
        parser.add_argument(
            "--definition",
            default=DEFAULT_DEFINITION,
            help=f"the lifecycle definition (default {DEFAULT_DEFINITION})",
        )
    return parser


def _positive(kind: type[int] | type[float]) -> Any:
    """An argparse type that refuses zero, negative and non-finite numbers (exit 2)."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a valid {kind.__name__}") from None
        if not 0 < value < float("inf"):
            raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
        return value

    parse.__name__ = kind.__name__
    return parse


def _adapter_options(parser: argparse.ArgumentParser) -> None:
    for channel in ("wms", "cart"):
        # None rather than "simulated", so that a default choice can be told on stderr.
        parser.add_argument(
            f"--{channel}",
            default=None,
            metavar="simulated|record|URL",
            help=f"where {channel} hook calls go (default simulated)",
        )


def _existing_db(args: argparse.Namespace) -> None:
    """Commands that only read or deliver must not create an empty database by mistake."""
    path = _db_path(args)
    if _db_exists(path):
        return
    raise LifecycleError(
        f"no database at {path}; give --db the file that 'lifecycle run' or 'lifecycle send' wrote"
    )


def _db_path(args: argparse.Namespace) -> str:
    text = str(args.db)
    return text.removeprefix("sqlite:///") if text.startswith("sqlite:///") else text


def _db_exists(path: str) -> bool:
    return path in ("", ":memory:", "memory:", "sqlite://") or Path(path).exists()


def _note(text: str) -> None:
    print(f"lifecycle: note: {text}", file=sys.stderr)


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "json"), default="text")


def _engine(
    args: argparse.Namespace,
    definition: str,
    *,
    adapters: bool = False,
    clock: Any = None,
    guarded: bool = False,
) -> Engine:
    """The engine for a command; ``guarded``: the command runs guards, so settings matter."""
    lifecycle = load(definition)
    declared = lifecycle.definition.settings
    if guarded and args.settings is None and declared:
        _note(
            "no --settings given; using the definition's defaults for "
            + ", ".join(sorted(declared))
        )
    raw = load_settings_file(args.settings) if args.settings else None
    settings = resolve_settings(lifecycle.definition, raw)
    chosen = {}
    if adapters:
        from engine.hooks.adapters import make_adapter

        specs = {"wms": args.wms, "cart": args.cart}
        defaulted = [c for c in lifecycle.definition.channels if specs.get(c) is None]
        if defaulted:
            _note(
                "no --" + "/--".join(defaulted) + " given; hook calls go to the simulated "
                "adapter (nothing leaves this process)"
            )
        chosen = {
            channel: make_adapter(specs.get(channel) or "simulated", channel, settings=settings)
            for channel in lifecycle.definition.channels
        }
    return Engine(lifecycle, args.db, settings=settings, adapters=chosen, clock=clock)


# -- run ----------------------------------------------------------------------------------


class _LogClock:
    """The time of the log: each line's ``at`` moves it forward, never back.

    Lines without ``at`` keep the time of the line before; before the first ``at``, the
    real time is used. Hook retries in ``run`` therefore follow the log's time.
    """

    def __init__(self) -> None:
        self._now: float | None = None

    def now(self) -> float:
        return time.time() if self._now is None else self._now

    def follow(self, when: float) -> None:
        self._now = when if self._now is None else max(self._now, when)


@dataclass
class _RunSummary:
    applied: int = 0
    duplicates: int = 0
    refused: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)
    hooks: DispatchCounts = field(default_factory=DispatchCounts)


def _run(args: argparse.Namespace) -> int:
    _readable(args.events)
    clock = _LogClock()
    summary = _RunSummary()
    with _engine(args, args.definition, adapters=True, clock=clock, guarded=True) as engine:
        progress = _Progress(sys.stderr)
        for number, item in enumerate(read_event_log(args.events), 1):
            progress.update(number)
            if isinstance(item, IntakeError):
                summary.malformed.append(str(item))
                continue
            if item.at is not None:
                clock.follow(item.at.timestamp())
            _apply_line(engine, item, summary)
            summary.hooks.add(engine.dispatch())
        progress.done()
        _print_summary(engine, summary, args.events)
    return 1 if summary.malformed else 0


def _readable(path: str) -> None:
    """Fail on an unreadable log before the store is opened, so no database is left behind."""
    try:
        Path(path).open("rb").close()
    except OSError as exc:
        raise IntakeError(f"cannot read the event log {path!r}: {exc.strerror}") from None


def _apply_line(engine: Engine, item: Any, summary: _RunSummary) -> None:
    try:
        result = engine.send(
            item.order_id, item.event, item.data, actor=item.actor, idempotency_key=item.key
        )
    except (OrderError, IdempotencyConflict) as exc:
        # A key reused for another event is a well-formed line the engine refuses.
        summary.refused.append(f"line {item.line}: {exc}")
        return
    except LifecycleError as exc:
        summary.malformed.append(f"line {item.line}: {exc}")
        return
    if result.duplicate:
        summary.duplicates += 1
    else:
        summary.applied += 1


def _print_summary(engine: Engine, summary: _RunSummary, source: str) -> None:
    out = sys.stdout
    print(
        f"{source}: {summary.applied} events applied, {summary.duplicates} duplicates "
        f"skipped, {len(summary.refused)} refused, {len(summary.malformed)} malformed",
        file=out,
    )
    print("\nOrders per status:", file=out)
    counts = engine.store.state_counts(engine.definition.name)
    for state in engine.definition.states.values():
        print(f"  {state.label:<16} {state.api_value:<10} {counts.get(state.id, 0)}", file=out)

    if summary.refused:
        print("\nRefused events:", file=out)
        for line in summary.refused:
            print(f"  {line}", file=out)
    if summary.malformed:
        print("\nMalformed lines (not applied):", file=out)
        for line in summary.malformed:
            print(f"  {line}", file=out)

    hooks = summary.hooks
    waiting = len(engine.pending_calls())
    print(
        f"\nHook calls: {hooks.delivered} delivered, {waiting} retrying, {hooks.failed} failed, "
        f"{hooks.exhausted} exhausted, {hooks.dropped} dropped",
        file=out,
    )


class _Progress:
    """A line count on stderr, only when it is a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()

    def update(self, number: int) -> None:
        if self.enabled and number % PROGRESS_EVERY == 0:
            self.stream.write(f"\r{number} lines…")
            self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 30 + "\r")
            self.stream.flush()


# -- send, orders, show, dispatch -------------------------------------------------------------


def _send(args: argparse.Namespace) -> int:
    data = _json_object(args.data) if args.data is not None else None
    _creating_db(args)
    with _engine(args, args.definition, guarded=True) as engine:
        result = engine.send(
            args.order,
            args.event,
            data,
            actor=args.actor,
            idempotency_key=args.key,
            expected_version=args.expected_version,
        )
        if args.format == "json":
            _print_json({**result.as_dict(), "duplicate": result.duplicate})
        else:
            note = " (duplicate: the first result)" if result.duplicate else ""
            print(
                f"{result.order_id}: {_from(result.previous_state)} -> {result.state} on "
                f"{result.event!r}, version {result.version}{note}"
            )
            for hook in result.hooks:
                print(f"  scheduled hook {hook}")
    return 0


def _creating_db(args: argparse.Namespace) -> None:
    """``send`` makes a new database only for a creation event; anything else needs one."""
    path = _db_path(args)
    if _db_exists(path):
        return
    if args.event in load(args.definition).definition.creation_events:
        return
    raise LifecycleError(
        f"no database at {path}; {args.event!r} does not create an order, so give --db the "
        "file that 'lifecycle run' or 'lifecycle send' wrote"
    )


def _json_object(text: str) -> dict[str, Any]:
    data = decode_json(text, "--data")
    if not isinstance(data, dict):
        raise IntakeError(f"--data must be a JSON object, not {data!r}")
    return data


def _from(state: str | None) -> str:
    """The state an event left, for text output; an event that created the order left none."""
    return "(created)" if state is None else state


def _orders(args: argparse.Namespace) -> int:
    _existing_db(args)
    with _engine(args, args.definition) as engine:
        status = args.status
        if status is not None and status in engine.definition.states:
            found = engine.iter_orders(state=status)
        else:
            found = engine.iter_orders(api_value=status)
        rows = [_order_row(order) for order in found]

    if args.format == "json":
        _print_json(rows)
        return 0
    print(f"{'ORDER':<20} {'STATE':<16} {'API VALUE':<10} {'VERSION':>7}  UPDATED")
    for row in rows:
        print(
            f"{row['order_id']:<20} {row['state']:<16} {row['api_value']:<10} "
            f"{row['version']:>7}  {row['updated_at']}"
        )
    return 0


def _order_row(order: Order) -> dict[str, Any]:
    return {
        "order_id": order.order_id,
        "state": order.state,
        "label": order.label,
        "api_value": order.api_value,
        "version": order.version,
        "definition": order.definition,
        "definition_version": order.definition_version,
        "created_at": isoformat(order.created_at),
        "updated_at": isoformat(order.updated_at),
    }


def _show(args: argparse.Namespace) -> int:
    _existing_db(args)
    with _engine(args, args.definition) as engine:
        order = engine.get(args.order)
        journal = [_journal_row(e.as_dict()) for e in engine.history(args.order)]
        pending = [_call_row(c) for c in engine.pending_calls(args.order)]

    document = {
        **_order_row(order),
        "data": order.data,
        "journal": journal,
        "pending_hooks": pending,
    }
    if args.format == "json":
        _print_json(document)
        return 0

    print(
        f"{order.order_id}: {order.label} ({order.state}, API value {order.api_value!r}), "
        f"version {order.version}"
    )
    print("data: " + json.dumps(order.data, ensure_ascii=False, sort_keys=True))
    print("journal:")
    for entry in journal:
        move = f"{_from(entry['from'])} -> {entry['to']}" if entry["to"] else ""
        reason = f"  {entry['reason']}" if entry["reason"] else ""
        print(
            f"  #{entry['seq']:<5} {entry['at']}  {entry['kind']:<15} {entry['event'] or ''} "
            f"{move}{reason}"
        )
    print("pending hook calls:" + ("" if pending else " none"))
    for call in pending:
        print(
            f"  {call['hook']} via {call['channel']}, attempt {call['attempts']}, "
            f"due {call['next_due']}"
        )
    return 0


def _journal_row(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "at": isoformat(entry["at"])}


def _call_row(call: OutboxCall) -> dict[str, Any]:
    return {
        "call_id": call.call_id,
        "hook": call.hook,
        "channel": call.channel,
        "action": call.action,
        "idempotency_key": call.idempotency_key,
        "status": call.status,
        "attempts": call.attempts,
        "next_due": isoformat(call.next_due),
        "bound_state": call.bound_state,
        "last_error": call.last_error,
    }


def _dispatch(args: argparse.Namespace) -> int:
    _existing_db(args)
    with _engine(args, args.definition, adapters=True, guarded=True) as engine:
        while True:
            counts = engine.dispatch(args.limit)
            if counts.total or not args.forever:
                _print_counts(counts)
            if not args.forever:
                return 0
            time.sleep(args.interval)


def _print_counts(counts: DispatchCounts) -> None:
    text = ", ".join(f"{n} {name}" for name, n in counts.as_dict().items())
    print(f"hook calls: {text}")


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False, sort_keys=True)
    sys.stdout.write("\n")

"""The Engine: orders moving through a lifecycle, kept in a store, hooks sent from an outbox.

One event is one store transaction: read the order's state and version, restore the
reused machine to that state (no callbacks run), send the event, compare-and-set the
new state and version, append the journal entry and insert the hook calls. A refused
event writes only its journal entry. Hook calls are delivered later by
:meth:`Engine.dispatch`, outside any transaction; see ``docs/runtime.md``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.clock import Clock, SystemClock
from engine.definition.model import Transition
from engine.errors import (
    EventRefused,
    GuardRefusal,
    HookError,
    IdempotencyConflict,
    IntakeError,
    LifecycleError,
    OrderError,
    OrderExists,
    OrderNotFound,
    StoreError,
    VersionConflict,
)
from engine.guards import GuardEvaluationError
from engine.hooks.adapter import Adapter, HookCall, HookOutcome
from engine.hooks.adapters.python import PythonAdapter
from engine.intake.fields import control_character, json_problem, unencodable
from engine.lifecycle import Lifecycle
from engine.machine import MachineRunner, PythonGuard, Refused, StepContext
from engine.runtime.results import (
    DispatchCounts,
    Explanation,
    Order,
    SendResult,
    error_record,
    replay_result,
)
from engine.settings import resolve_settings
from engine.store import open_store
from engine.store.base import (
    APPLIED,
    PENDING,
    REFUSED,
    JournalEntry,
    OrderRecord,
    OutboxCall,
    Store,
    StoreTransaction,
)

logger = logging.getLogger(__name__)

AdapterLike = Adapter | Callable[[HookCall], HookOutcome]


class _Conflict(Exception):
    """Another writer changed the order between our read and our write: retry the step."""


@dataclass(slots=True)
class _Step:
    """The facts of one event being applied, passed between the parts of :meth:`_apply`."""

    order_id: str
    event: str
    data: Mapping[str, Any]
    actor: str | None
    key: str | None
    expected_version: int | None
    internal_ok: bool
    now: float = 0.0
    record: OrderRecord | None = None
    # Guards of earlier candidates that said no before the transition taken was reached.
    passed_over: tuple[GuardRefusal, ...] = ()


class Engine:
    """Runs orders of one lifecycle against a store.

    ``store``: ``"sqlite:///PATH"``, a file path, ``"memory:"`` or a Store. ``adapters``:
    channel name -> adapter (an object with ``deliver`` or a plain callable). ``guards``:
    the Python guards the definition declares. ``state_map``: where orders in states a new
    definition version removed should go. ``lease``: seconds a claimed hook call waits
    before another dispatch may deliver it again (after a crash, say).
    """

    def __init__(
        self,
        lifecycle: Lifecycle,
        store: str | Path | Store = "sqlite:///lifecycle.db",
        *,
        adapters: Mapping[str, AdapterLike] | None = None,
        settings: Mapping[str, Any] | None = None,
        guards: Mapping[str, PythonGuard] | None = None,
        clock: Clock | None = None,
        state_map: Mapping[str, str] | None = None,
        durable: bool = True,
        lease: float = 60.0,
        max_conflicts: int = 5,
    ) -> None:
        self.lifecycle = lifecycle
        self.definition = lifecycle.definition
        self.settings = resolve_settings(self.definition, settings)
        self.python_guards = self._check_guards(guards or {})
        self.adapters = self._check_adapters(adapters or {})
        self.clock: Clock = clock or SystemClock()
        self.lease = lease
        self.max_conflicts = max_conflicts
        self._runner = MachineRunner(lifecycle)
        # Asked on every event; the definition computes them by scanning its transitions.
        self._creation_events = self.definition.creation_events
        self._events_from = {s: self.definition.events_from(s) for s in self.definition.states}

        self.store = open_store(store, durable=durable)
        try:
            self._check_store(dict(state_map or {}))
        except BaseException:
            self.store.close()
            raise

    def __repr__(self) -> str:
        return f"<Engine {self.lifecycle!r} on {self.store!r}>"

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- construction checks --------------------------------------------------------------

    def _check_guards(self, guards: Mapping[str, PythonGuard]) -> dict[str, PythonGuard]:
        if not isinstance(guards, Mapping):
            raise LifecycleError(
                f"guards must be a mapping of guard names to callables, not {guards!r}"
            )
        for name, guard in guards.items():
            if not callable(guard):
                raise LifecycleError(
                    f"Python guard {name!r} is registered as {guard!r}, which is not callable; "
                    "register a function taking (order, event, settings) and returning a bool"
                )
        declared = {g.name for g in self.definition.guards.values() if g.is_python}
        missing = sorted(declared - set(guards))
        if missing:
            raise LifecycleError(
                f"Python guard {missing[0]!r} is declared by lifecycle {self.definition.name!r} "
                "but not registered; pass Engine(..., guards={name: callable}) for "
                + ", ".join(repr(m) for m in missing)
            )
        unknown = sorted(set(guards) - declared)
        if unknown:
            raise LifecycleError(
                f"Python guard {unknown[0]!r} is registered but the lifecycle declares no "
                "such Python guard; declared: " + (", ".join(sorted(declared)) or "none")
            )
        return {name: _strict_guard(guard) for name, guard in guards.items()}

    def _check_adapters(self, adapters: Mapping[str, AdapterLike]) -> dict[str, Adapter]:
        checked: dict[str, Adapter] = {}
        for channel, adapter in adapters.items():
            if channel not in self.definition.channels:
                raise HookError(
                    f"adapter for unknown channel {channel!r}; the lifecycle's channels are "
                    + ", ".join(repr(c) for c in self.definition.channels)
                )
            checked[channel] = adapter if hasattr(adapter, "deliver") else PythonAdapter(adapter)
        return checked

    def _check_store(self, state_map: dict[str, str]) -> None:
        """Refuse a store written by a newer definition, or holding orders in removed states."""
        name, version = self.definition.name, self.definition.version
        newest = self.store.max_definition_version(name)
        if newest is not None and newest > version:
            raise StoreError(
                f"the store {self.store!r} holds orders of lifecycle {name!r} version {newest}, "
                f"newer than this definition's version {version}; load the newer definition"
            )

        for old, new in state_map.items():
            if new not in self.definition.states:
                raise StoreError(
                    f"state_map sends {old!r} to {new!r}, which is not a state of lifecycle "
                    f"{name!r}; its states are "
                    + ", ".join(repr(s) for s in self.definition.states)
                )
        stranded = {
            state: count
            for state, count in self.store.state_counts(name).items()
            if state not in self.definition.states
        }
        unmapped = {state: n for state, n in stranded.items() if state not in state_map}
        if unmapped:
            state, count = next(iter(sorted(unmapped.items())))
            raise StoreError(
                f"state {state!r} is occupied by {count} stored order{'s' if count != 1 else ''} "
                f"but lifecycle {name!r} version {version} no longer has it; pass "
                "Engine(..., state_map={old: new}) to say where they go"
            )
        if stranded:
            self._remap(stranded, state_map)

    def _remap(self, stranded: dict[str, int], state_map: dict[str, str]) -> None:
        with self.store.transaction() as txn:
            for old in stranded:
                moved = txn.remap_state(
                    self.definition.name, old, state_map[old], self.clock.now()
                )
                logger.info("moved %d orders from state %r to %r", moved, old, state_map[old])

    # -- events ---------------------------------------------------------------------------

    def create(
        self, order_id: str, data: Mapping[str, Any], *, idempotency_key: str | None = None
    ) -> SendResult:
        """Create an order by running the lifecycle's (first) creation event with ``data``."""
        events = self.definition.creation_events
        if not events:
            raise LifecycleError(f"lifecycle {self.definition.name!r} has no creation event")
        return self.send(order_id, events[0], data, idempotency_key=idempotency_key)

    def send(
        self,
        order_id: str,
        event: str,
        data: Mapping[str, Any] | None = None,
        *,
        actor: str | None = None,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> SendResult:
        """Apply ``event`` to the order. A creation event on an unknown order creates it.

        Raises EventRefused (journaled) when the event is unknown, internal, not allowed in
        the order's state, or every candidate's guards refuse; OrderNotFound, OrderExists
        and VersionConflict as their names say.
        """
        _check_request(order_id, event, expected_version, idempotency_key)
        _check_text(order_id, event, actor=actor, idempotency_key=idempotency_key)
        step = _Step(
            order_id,
            event,
            _event_data(order_id, event, data),
            actor,
            idempotency_key,
            expected_version,
            internal_ok=False,
        )
        outcome = self._in_transaction(lambda txn: self._apply(txn, step))
        if isinstance(outcome, OrderError):
            raise outcome
        return outcome

    def _in_transaction(self, work: Callable[[StoreTransaction], Any]) -> Any:
        """Run ``work`` in one transaction; on a compare-and-set conflict run it again."""
        for attempt in range(1, self.max_conflicts + 1):
            try:
                with self.store.transaction() as txn:
                    return work(txn)
            except _Conflict:
                logger.debug("conflict on attempt %d; retrying the step", attempt)
        raise StoreError(
            f"gave up after {self.max_conflicts} conflicting writes; another writer keeps "
            "changing the same order"
        )

    def _apply(self, txn: StoreTransaction, step: _Step) -> SendResult | OrderError:
        """One event inside one transaction; a refusal is journaled and returned, not raised."""
        step.now = self.clock.now()
        if step.key is not None:
            stored = txn.get_intake(step.key)
            if stored is not None:
                _check_same_request(step, stored)
                return replay_result(stored)

        step.record = txn.get_order(step.order_id)
        error = self._precheck(step)
        if error is not None:
            return self._refuse(txn, step, error)

        record = step.record
        order_data = self._order_data(step)
        ctx = StepContext(order_data, step.data, self.settings, self.python_guards)
        taken = self._runner.step(record.state if record else None, step.event, ctx)
        if isinstance(taken, Refused):
            return self._refuse(txn, step, self._refusal(step, taken))
        step.passed_over = tuple(ctx.refusals)
        return self._commit(txn, step, taken, order_data)

    def _precheck(self, step: _Step) -> OrderError | None:
        """Faults found before the machine runs: unknown order or event, wrong version."""
        record, event, order_id = step.record, step.event, step.order_id
        known = self.definition.events.get(event)
        if known is None or (known.internal and not step.internal_ok):
            return self._refused(step, self._event_fault(event, known is None))

        creates = event in self._creation_events
        if record is None:
            return None if creates else OrderNotFound(order_id)
        possible = self._events_from[record.state]
        if creates and event not in possible:
            return OrderExists(order_id)
        if step.expected_version is not None and record.version != step.expected_version:
            return VersionConflict(order_id, step.expected_version, record.version)
        if event not in possible:
            return self._refused(step, f"event {event!r} is not allowed now")
        return None

    def _event_fault(self, event: str, unknown: bool) -> str:
        if unknown:
            external = [e.name for e in self.definition.events.values() if not e.internal]
            return f"unknown event {event!r}; the lifecycle's events are " + ", ".join(
                repr(e) for e in external
            )
        return f"event {event!r} is internal: only a hook outcome fires it"

    def _refused(
        self, step: _Step, fault: str, refusals: tuple[GuardRefusal, ...] = ()
    ) -> EventRefused:
        state = step.record.state if step.record else None
        allowed = self._allowed_names(state)
        where = f"order {step.order_id!r}" + (f" in state {state!r}" if state else "")
        # The events the state takes, before their guards are asked: a refusal cannot know
        # which of them would hold. allowed_events() is the list with the guards asked.
        takes = "creation events" if state is None else f"events state {state!r} takes"
        message = f"{fault} ({where}); {takes}: " + (", ".join(repr(e) for e in allowed) or "none")
        return EventRefused(
            message,
            order_id=step.order_id,
            event=step.event,
            state=state,
            allowed=allowed,
            refusals=refusals,
        )

    def _allowed_names(self, state: str | None) -> tuple[str, ...]:
        if state is None:
            return self._creation_events
        events = self._events_from.get(state, ())
        return tuple(e for e in events if not self.definition.events[e].internal)

    def _refusal(self, step: _Step, refused: Refused) -> EventRefused:
        if refused.no_transition:
            return self._refused(step, f"event {step.event!r} has no transition from here")
        parts = [_describe(r) for r in refused.refusals]
        return self._refused(
            step, f"event {step.event!r} refused by " + "; ".join(parts), refused.refusals
        )

    def _order_data(self, step: _Step) -> dict[str, Any]:
        if step.record is None:
            return dict(step.data)
        if self.definition.events[step.event].merge and step.data:
            return {**step.record.data, **step.data}
        return step.record.data

    def _refuse(self, txn: StoreTransaction, step: _Step, error: OrderError) -> OrderError:
        """Journal the refusal when it concerns a stored order; keep it for the intake key."""
        record = step.record
        logger.warning("order %r: %s", step.order_id, error)
        if record is None or isinstance(error, VersionConflict):
            return error

        txn.append_journal(
            JournalEntry(
                step.order_id,
                REFUSED,
                step.now,
                event=step.event,
                source=record.state,
                data=dict(step.data),
                reason=str(error),
                actor=step.actor,
                definition_version=self.definition.version,
            )
        )
        if step.key is not None:
            stored = {**error_record(error), "request": _fingerprint(step)}
            txn.put_intake(step.key, step.order_id, stored, step.now)
        return error

    def _commit(
        self, txn: StoreTransaction, step: _Step, taken: Transition, data: dict[str, Any]
    ) -> SendResult:
        record, now = step.record, step.now
        seq = txn.append_journal(
            JournalEntry(
                step.order_id,
                APPLIED,
                now,
                event=step.event,
                source=record.state if record else None,
                target=taken.target,
                data=dict(step.data),
                reason=_passed_over(step.passed_over),
                actor=step.actor,
                definition_version=self.definition.version,
            )
        )
        new = OrderRecord(
            step.order_id,
            self.definition.name,
            self.definition.version,
            taken.target,
            (record.version if record else 0) + 1,
            data,
            seq,
            record.created_at if record else now,
            now,
        )
        written = (
            txn.insert_order(new) if record is None else txn.update_order(new, record.version)
        )
        if not written:
            raise _Conflict()

        calls = self._schedule(step, taken, data, seq)
        txn.insert_calls(calls)
        result = SendResult(
            step.order_id,
            step.event,
            record.state if record else None,
            taken.target,
            new.version,
            seq,
            tuple(c.hook for c in calls),
        )
        if step.key is not None:
            stored = {"result": result.as_dict(), "request": _fingerprint(step)}
            txn.put_intake(step.key, step.order_id, stored, now)
        logger.debug(
            "order %r: %s -> %s on %r (version %d)",
            step.order_id,
            result.previous_state,
            taken.target,
            step.event,
            new.version,
        )
        return result

    def _schedule(
        self, step: _Step, taken: Transition, data: dict[str, Any], seq: int
    ) -> list[OutboxCall]:
        """Hook calls of the transition (always delivered) and of the state entered (bound)."""
        refs = [(ref, False) for ref in taken.hooks]
        refs += [(ref, True) for ref in self.definition.states[taken.target].hooks]
        calls = []
        for ref, bound in refs:
            if ref.when is not None and not self._when(ref.when, data, step):
                continue
            hook = self.definition.hooks[ref.hook]
            payload = {
                "order_id": step.order_id,
                "state": taken.target,
                "order": data,
                "event": dict(step.data),
            }
            calls.append(
                OutboxCall(
                    step.order_id,
                    hook.name,
                    hook.channel,
                    hook.action,
                    f"{step.order_id}:{hook.name}:{seq}",
                    payload,
                    step.now,
                    step.now,
                    bound_state=taken.target if bound else None,
                    bound_seq=seq if bound else None,
                )
            )
        return calls

    def _when(self, expression: str, data: dict[str, Any], step: _Step) -> bool:
        try:
            return self.lifecycle.guards[expression](data, step.data, self.settings)
        except GuardEvaluationError as exc:
            # A hook condition that cannot be read does not hold; say so, do not fail the event.
            logger.warning("order %r: hook condition %r: %s", step.order_id, expression, exc)
            return False

    # -- reading --------------------------------------------------------------------------

    def get(self, order_id: str) -> Order:
        record = self.store.get_order(order_id)
        if record is None:
            raise OrderNotFound(order_id)
        return self._order(record)

    def _order(self, record: OrderRecord) -> Order:
        state = self.definition.states.get(record.state)
        return Order(
            record.order_id,
            record.state,
            state.label if state else record.state,
            state.api_value if state else "",
            record.version,
            # A copy: the in-memory store hands out its own objects, and a caller editing
            # what it was given must not change a stored order behind the journal's back.
            copy.deepcopy(record.data),
            record.definition,
            record.definition_version,
            record.created_at,
            record.updated_at,
        )

    def history(self, order_id: str) -> list[JournalEntry]:
        entries = self.store.journal(order_id)
        if not entries and self.store.get_order(order_id) is None:
            raise OrderNotFound(order_id)
        return entries

    def pending_calls(self, order_id: str | None = None) -> list[OutboxCall]:
        return self.store.calls(order_id, (PENDING,))

    def orders(self, state: str | None = None, api_value: str | None = None) -> list[Order]:
        """Orders in ``state``, or with ``api_value`` (an API value or a filter's name)."""
        return list(self.iter_orders(state, api_value))

    def iter_orders(
        self, state: str | None = None, api_value: str | None = None
    ) -> Iterator[Order]:
        states = self._states_for(state, api_value)
        for record in self.store.list_orders(self.definition.name, states):
            yield self._order(record)

    def _states_for(self, state: str | None, api_value: str | None) -> tuple[str, ...] | None:
        definition = self.definition
        if state is not None and state not in definition.states:
            raise LifecycleError(
                f"unknown state {state!r}; the states are "
                + ", ".join(repr(s) for s in definition.states)
            )
        chosen = None if state is None else {state}
        if api_value is not None:
            values = definition.filters.get(api_value, (api_value,))
            by_value = {s for v in values for s in definition.states_with_api_value(v)}
            if not by_value:
                known = sorted({s.api_value for s in definition.states.values()})
                raise LifecycleError(
                    f"unknown API value or filter {api_value!r}; API values: "
                    + ", ".join(map(repr, known))
                    + "; filters: "
                    + ", ".join(map(repr, definition.filters))
                )
            chosen = by_value if chosen is None else chosen & by_value
        return None if chosen is None else tuple(s for s in definition.states if s in chosen)

    def explain(
        self, order_id: str, event: str, data: Mapping[str, Any] | None = None
    ) -> Explanation:
        """Whether ``event`` would be applied now; if not, which guard says no and what it read."""
        _check_request(order_id, event, None, None)
        step = _Step(order_id, event, _event_data(order_id, event, data), None, None, None, False)
        step.record = self.store.get_order(order_id)
        error = self._precheck(step)
        state = step.record.state if step.record else None
        if error is not None:
            if isinstance(error, OrderNotFound):
                raise error
            return Explanation(order_id, event, state, False, None, str(error))

        ctx = StepContext(self._order_data(step), step.data, self.settings, self.python_guards)
        taken = self._runner.step(state, event, ctx)
        if isinstance(taken, Refused):
            error = self._refusal(step, taken)
            return Explanation(order_id, event, state, False, None, str(error), taken.refusals)
        reason = f"event {event!r} moves the order from {state!r} to {taken.target!r}"
        return Explanation(order_id, event, state, True, taken.target, reason, tuple(ctx.refusals))

    def allowed_events(self, order_id: str) -> tuple[str, ...]:
        """The outside events whose guards hold now (with no event data): what a UI may offer."""
        record = self.store.get_order(order_id)
        if record is None:
            raise OrderNotFound(order_id)
        names = self._allowed_names(record.state)
        return tuple(e for e in names if self.explain(order_id, e).allowed)

    # -- the outbox -----------------------------------------------------------------------

    def dispatch(self, limit: int | None = None) -> DispatchCounts:
        """Deliver the hook calls due now, one at a time; each outcome fires its event."""
        from engine.hooks.outbox import Dispatcher

        if limit is not None and (not _is_int(limit) or limit < 1):
            raise LifecycleError(f"dispatch limit must be a positive int or None, not {limit!r}")
        return Dispatcher(self).run(limit)

    def _fire(
        self, txn: StoreTransaction, order_id: str, event: str, data: Mapping[str, Any], actor: str
    ) -> SendResult | OrderError:
        """Apply a hook outcome's event inside the dispatcher's transaction."""
        step = _Step(order_id, event, dict(data), actor, None, None, internal_ok=True)
        return self._apply(txn, step)


def _is_int(value: object) -> bool:
    # bool is an int to Python, but True is no version number or limit.
    return isinstance(value, int) and not isinstance(value, bool)


def _check_request(order_id: object, event: object, expected_version: object, key: object) -> None:
    """Refuse arguments of the wrong type before anything is read or written."""
    if not isinstance(order_id, str) or not order_id:
        raise IntakeError(
            f"order_id must be a non-empty str, not {order_id!r} (event {event!r}); "
            "pass order numbers as text, e.g. '1001'"
        )
    if not isinstance(event, str) or not event:
        raise IntakeError(f"event must be a non-empty str, not {event!r} (order {order_id!r})")
    if expected_version is not None and not _is_int(expected_version):
        raise IntakeError(
            f"expected_version must be an int or None, not {expected_version!r} "
            f"(order {order_id!r}, event {event!r})"
        )
    if key is not None and not isinstance(key, str):
        raise IntakeError(
            f"idempotency_key must be a str or None, not {key!r} "
            f"(order {order_id!r}, event {event!r})"
        )


def _check_text(order_id: str, event: str, **optional: object) -> None:
    """Refuse text the store cannot keep: no UTF-8 form, or control characters in an id."""
    where = f"(order {order_id!r}, event {event!r})"
    named = {"order_id": order_id, "event": event, **optional}
    for name, value in named.items():
        if value is not None and not isinstance(value, str):
            raise IntakeError(f"{name} must be a str or None, not {value!r} {where}")
        if value is not None and unencodable(value, name) is not None:
            raise IntakeError(
                f"{name} {value!r} is not valid Unicode (it holds a lone surrogate) {where}; "
                "pass text that can be written as UTF-8"
            )
    char = control_character(order_id)
    if char is not None:
        raise IntakeError(
            f"order_id {order_id!r} holds the control character {char!r} {where}; "
            "order ids are printable text"
        )


def _event_data(order_id: str, event: str, data: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The event's data, refused unless it is a mapping that is strict JSON all the way down."""
    if data is None:
        return {}
    where = f"(order {order_id!r}, event {event!r})"
    if not isinstance(data, Mapping):
        raise IntakeError(f"event data must be an object (a mapping), not {data!r} {where}")
    # The store keeps data as JSON: what JSON cannot hold, or would read back changed
    # (a key that is not text), is refused here rather than stored.
    problem = json_problem(data, "data")
    if problem is not None:
        raise IntakeError(
            f"event data is not strict JSON: {problem} {where}; use only objects with text "
            "keys, arrays, strings, finite numbers, true, false and null"
        )
    return data


def _fingerprint(step: _Step) -> dict[str, str]:
    """What an idempotency key was first used for; the data as a digest, to keep rows small."""
    text = json.dumps(dict(step.data), sort_keys=True, separators=(",", ":"), allow_nan=False)
    digest = hashlib.sha256(text.encode()).hexdigest()
    return {"order_id": step.order_id, "event": step.event, "data": digest}


def _check_same_request(step: _Step, stored: Mapping[str, Any]) -> None:
    """A key reused for another request is an error, not the first request's result."""
    first = stored.get("request")
    if first is None:
        return  # written before requests were fingerprinted: nothing to compare with
    now = _fingerprint(step)
    differs = [name for name in ("order_id", "event", "data") if first.get(name) != now[name]]
    if not differs:
        return
    details = []
    for name in differs:
        if name == "data":
            details.append("the event data")
        else:
            details.append(f"{name} {now[name]!r} (first {first.get(name)!r})")
    raise IdempotencyConflict(
        f"idempotency key {step.key!r} was first used for order {first.get('order_id')!r}, "
        f"event {first.get('event')!r}; this request differs in "
        + ", ".join(details)
        + "; use a new key for a new request",
        key=step.key or "",
        differs=tuple(differs),
    )


def _strict_guard(guard: PythonGuard) -> PythonGuard:
    """A Python guard that, like a CEL guard, cannot hold by raising or by giving a non-bool."""

    def checked(
        order: Mapping[str, Any], event: Mapping[str, Any], settings: Mapping[str, Any]
    ) -> bool:
        try:
            result = guard(order, event, settings)
        except Exception as exc:
            # The guard's own bug must not escape send(): it is a guard that did not hold.
            raise GuardEvaluationError(f"the Python guard raised {exc!r}") from None
        if not isinstance(result, bool):
            raise GuardEvaluationError(f"the Python guard gave {result!r}, not True or False")
        return result

    return checked


def _passed_over(refusals: tuple[GuardRefusal, ...]) -> str | None:
    """A journal reason for a transition reached only because earlier candidates refused."""
    if not refusals:
        return None
    return "earlier candidates refused by " + "; ".join(_describe(r) for r in refusals)


def _describe(refusal: GuardRefusal) -> str:
    if refusal.error:
        return f"guard {refusal.guard!r}, which could not be evaluated: {refusal.error}"
    if refusal.values:
        seen = ", ".join(f"{path}={value!r}" for path, value in refusal.values.items())
        return f"guard {refusal.guard!r} (it read {seen})"
    return f"guard {refusal.guard!r}"

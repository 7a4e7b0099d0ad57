"""The outbox dispatcher: delivers due hook calls after commit, never inside a transition.

For each due call, in three steps:

1. claim (one transaction): drop the call if it is bound to a stay in a state the order
   has left or re-entered since; otherwise count the attempt and push ``next_due`` one
   lease ahead, so that a crash before step 3 makes the call due again later;
2. deliver: call the channel's adapter, outside any transaction;
3. record (one transaction): the outcome, the journal entry, the next try or the end
   of the call, and the outcome's event fired back into the engine.

Delivery is therefore at least once; the idempotency key, the same on every attempt,
lets the far side drop a repeat.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from engine.definition.model import Hook
from engine.errors import HookError, OrderError
from engine.hooks.adapter import HookCall, HookOutcome
from engine.intake.fields import json_problem
from engine.runtime.results import DispatchCounts
from engine.store.base import (
    DELIVERED,
    DROPPED,
    EXHAUSTED,
    FAILED,
    HOOK_DELIVERED,
    HOOK_DROPPED,
    HOOK_EXHAUSTED,
    HOOK_FAILED,
    HOOK_RETRY,
    PENDING,
    JournalEntry,
    OutboxCall,
    StoreTransaction,
)

if TYPE_CHECKING:
    from engine.runtime import Engine

logger = logging.getLogger(__name__)

# A runaway chain (a hook whose outcome schedules the same hook again, due at once)
# must not keep one dispatch run going forever.
MAX_CALLS_PER_RUN = 100_000

# The longest wait before a retry when the hook sets no give_up_after: a far side asking
# for a longer pause (Retry-After) must not park a call for years.
MAX_RETRY_DELAY = 7 * 24 * 3600.0


class Dispatcher:
    """Delivers the due calls of one engine's outbox."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.definition = engine.definition

    def run(self, limit: int | None = None) -> DispatchCounts:
        counts = DispatchCounts()
        budget = MAX_CALLS_PER_RUN if limit is None else limit
        while budget > 0:
            call = self.engine._in_transaction(lambda txn: self._claim(txn, counts))
            if call is None:
                break
            budget -= 1
            if call.status in (DROPPED, EXHAUSTED):
                continue  # settled while claiming: nothing to deliver
            outcome = self._deliver(call)
            self.engine._in_transaction(
                lambda txn, c=call, o=outcome: self._record(txn, c, o, counts)
            )
        return counts

    def _claim(self, txn: StoreTransaction, counts: DispatchCounts) -> OutboxCall | None:
        now = self.engine.clock.now()
        due = txn.due_calls(now, 1)
        if not due:
            return None

        call = due[0]
        if call.channel not in self.engine.adapters:
            raise HookError(
                f"no adapter for channel {call.channel!r} (hook {call.hook!r}, order "
                f"{call.order_id!r}); pass Engine(..., adapters={{{call.channel!r}: ...}})"
            )
        stale = self._stale(txn, call)
        if stale:
            self._drop(txn, call, stale, now)
            counts.dropped += 1
            return call

        hook = self.definition.hooks[call.hook]
        if self._exhausted(hook, call, now):
            # Every try was claimed already, yet no outcome got recorded (a crash, or a
            # record step that kept failing): give up rather than deliver without end.
            reason = f"gave up after {call.attempts} attempts with no outcome recorded"
            self._fire_outcome(txn, call, hook, self._exhaust(txn, call, reason, now, counts), {})
            return call

        call.attempts += 1
        call.first_try_at = call.first_try_at if call.first_try_at is not None else now
        call.next_due = now + self.engine.lease
        txn.update_call(call)
        return call

    def _stale(self, txn: StoreTransaction, call: OutboxCall) -> str:
        """Why a call bound to a stay in a state no longer applies; empty when it does."""
        if call.bound_state is None:
            return ""
        order = txn.get_order(call.order_id)
        if order is None:
            return f"order {call.order_id!r} no longer exists"
        if order.state != call.bound_state:
            return f"the order left state {call.bound_state!r} (it is in {order.state!r})"
        if order.entered_seq != call.bound_seq:
            return f"the order re-entered state {call.bound_state!r} since the call was made"
        return ""

    def _drop(self, txn: StoreTransaction, call: OutboxCall, reason: str, now: float) -> None:
        call.status = DROPPED
        call.last_error = reason
        txn.update_call(call)
        self._journal(txn, call, HOOK_DROPPED, reason, now)
        logger.info("order %r: hook %r dropped: %s", call.order_id, call.hook, reason)

    def _deliver(self, call: OutboxCall) -> HookOutcome:
        adapter = self.engine.adapters[call.channel]
        hook_call = HookCall(
            call.call_id,
            call.order_id,
            call.hook,
            call.channel,
            call.action,
            call.idempotency_key,
            call.payload,
            call.attempts,
        )
        try:
            outcome = adapter.deliver(hook_call)
        except Exception as exc:  # an adapter's bug must not lose the call: retry it
            outcome = HookOutcome.retry(f"the adapter raised {type(exc).__name__}: {exc}")
        if not isinstance(outcome, HookOutcome):
            outcome = HookOutcome.retry(f"the adapter answered {outcome!r}, not a HookOutcome")
        if outcome.status != "success":
            logger.warning(
                "order %r: hook %r attempt %d: %s: %s",
                call.order_id,
                call.hook,
                call.attempts,
                outcome.status,
                outcome.message,
            )
        return outcome

    def _record(
        self,
        txn: StoreTransaction,
        claimed: OutboxCall,
        outcome: HookOutcome,
        counts: DispatchCounts,
    ) -> None:
        current = txn.get_call(claimed.call_id)
        if current is None or current.status != PENDING or current.attempts != claimed.attempts:
            # Another dispatcher took the call over after our lease ran out; it records.
            return

        now = self.engine.clock.now()
        hook = self.definition.hooks[current.hook]
        event = self._settle(txn, current, hook, outcome, now, counts)
        txn.update_call(current)
        self._fire_outcome(txn, current, hook, event, _outcome_data(current, outcome))

    def _fire_outcome(
        self,
        txn: StoreTransaction,
        call: OutboxCall,
        hook: Hook,
        event: str | None,
        data: Mapping[str, Any],
    ) -> None:
        if event is None:
            return
        fired = self.engine._fire(txn, call.order_id, event, data, f"hook:{hook.name}")
        if isinstance(fired, OrderError):
            # Journaled as refused by the engine; an outcome the state refuses is not an
            # error of the dispatcher.
            logger.info("order %r: outcome event %r refused", call.order_id, event)

    def _settle(
        self,
        txn: StoreTransaction,
        call: OutboxCall,
        hook: Hook,
        outcome: HookOutcome,
        now: float,
        counts: DispatchCounts,
    ) -> str | None:
        """Update ``call`` for ``outcome``; return the event to fire, if any."""
        if outcome.status == "success":
            call.status, call.last_error = DELIVERED, None
            self._journal(txn, call, HOOK_DELIVERED, outcome.message or None, now)
            counts.delivered += 1
            return hook.on_success

        call.last_error = outcome.message
        if outcome.status == "failure":
            call.status = FAILED
            self._journal(txn, call, HOOK_FAILED, outcome.message, now)
            counts.failed += 1
            return hook.on_failure

        if self._exhausted(hook, call, now):
            reason = f"gave up after {call.attempts} attempts: {outcome.message}"
            return self._exhaust(txn, call, reason, now, counts)

        delay = _retry_delay(hook, call.attempts, outcome.retry_after)
        call.next_due = now + delay
        self._journal(txn, call, HOOK_RETRY, f"{outcome.message}; next try in {delay:g}s", now)
        counts.retrying += 1
        return None

    def _exhaust(
        self,
        txn: StoreTransaction,
        call: OutboxCall,
        reason: str,
        now: float,
        counts: DispatchCounts,
    ) -> str | None:
        """Mark ``call`` exhausted and journal why; return the hook's exhaustion event."""
        call.status = EXHAUSTED
        txn.update_call(call)
        self._journal(txn, call, HOOK_EXHAUSTED, reason, now)
        counts.exhausted += 1
        return self.definition.hooks[call.hook].on_exhausted

    @staticmethod
    def _exhausted(hook: Hook, call: OutboxCall, now: float) -> bool:
        policy = hook.retry
        if call.attempts >= policy.attempts:
            return True
        first = call.first_try_at if call.first_try_at is not None else now
        return policy.give_up_after is not None and now - first >= policy.give_up_after

    def _journal(
        self, txn: StoreTransaction, call: OutboxCall, kind: str, reason: str | None, now: float
    ) -> None:
        txn.append_journal(
            JournalEntry(
                call.order_id,
                kind,
                now,
                event=call.hook,
                reason=reason,
                actor=f"outbox:{call.call_id}",
                data={"attempt": call.attempts, "idempotency_key": call.idempotency_key},
                definition_version=self.definition.version,
            )
        )


def _retry_delay(hook: Hook, attempts: int, retry_after: float | None) -> float:
    """The wait before the next try: the policy's, or longer if the far side asks, capped.

    The cap is the hook's give_up_after when set (a longer wait would only end in giving
    up), else MAX_RETRY_DELAY.
    """
    delay = hook.retry.delay_after(attempts)
    if retry_after is not None and not math.isnan(retry_after):
        delay = max(delay, retry_after)  # an infinite Retry-After ends at the cap below

    given = hook.retry.give_up_after
    cap = MAX_RETRY_DELAY if given is None else given
    return min(max(delay, 0.0), cap)


def _outcome_data(call: OutboxCall, outcome: HookOutcome) -> Mapping[str, Any]:
    """The data the outcome event carries: the adapter's, when it is usable JSON.

    The call went through, so unusable data must not undo that (a rollback would deliver
    it again); it is left out, and the warning says why.
    """
    if outcome.status == "retry":
        return {}
    data: Any = outcome.data
    problem = (
        json_problem(data, "the outcome's data")
        if isinstance(data, Mapping)
        else f"the outcome's data is {data!r}, not an object"
    )
    if problem is None:
        return data
    logger.warning(
        "order %r: hook %r: %s; its event goes without data", call.order_id, call.hook, problem
    )
    return {}

"""The Engine on the order lifecycle, with a real SQLite file and a controlled clock."""

from __future__ import annotations

import logging

import pytest

from engine.errors import EventRefused, OrderExists, OrderNotFound, VersionConflict
from engine.hooks.adapter import HookOutcome
from engine.runtime import Engine
from tests.runtime.conftest import MAPPED, PACKAGES, order_data


def states(engine: Engine, order_id: str) -> list[tuple[str, str | None, str | None]]:
    return [(e.kind, e.event, e.target) for e in engine.history(order_id)]


class TestHappyPath:
    def test_an_order_goes_from_download_to_confirmed(self, engine, wms, cart):
        created = engine.create("A-1", order_data())
        assert (created.previous_state, created.state, created.version) == (None, "new", 1)
        assert created.hooks == ("wms_create_order",)

        wms.answers["create_order"] = lambda call: HookOutcome.success({"wms_id": "W-9"})
        assert engine.dispatch().delivered == 1
        assert engine.get("A-1").state == "at_wms"
        accepted = engine.history("A-1")[-1]
        assert (accepted.event, accepted.data) == ("wms_accepted", {"wms_id": "W-9"})
        assert "wms_id" not in engine.get("A-1").data  # wms_accepted does not merge

        shipped = engine.send("A-1", "ship", PACKAGES, actor="wms-intake")
        assert (shipped.previous_state, shipped.state) == ("at_wms", "shipped")
        assert engine.get("A-1").data["packages"] == PACKAGES["packages"]

        assert engine.dispatch().delivered == 1
        order = engine.get("A-1")
        assert (order.state, order.api_value, order.version) == ("confirmed", "confirmed", 4)
        assert wms.actions() == ["create_order"] and cart.actions() == ["confirm_shipment"]

    def test_the_hook_call_carries_the_order_and_a_stable_key(self, engine, wms):
        engine.create("A-1", order_data())
        wms.answers["create_order"] = lambda call: HookOutcome.retry("down")
        engine.dispatch()
        engine.clock.advance(3600)
        engine.dispatch()

        first, second = wms.calls
        assert first.idempotency_key == second.idempotency_key
        assert (first.attempt, second.attempt) == (1, 2)
        assert first.payload["order"]["ship_method"] == "UPS_GROUND"
        assert first.order_id == "A-1" and first.channel == "wms"

    def test_the_journal_records_every_step_with_time_actor_and_version(self, engine, clock):
        engine.create("A-1", order_data())
        clock.advance(5)
        engine.send("A-1", "cancel_sending", actor="ops")

        entry = engine.history("A-1")[-1]
        assert (entry.kind, entry.event, entry.source, entry.target) == (
            "applied",
            "cancel_sending",
            "new",
            "cancel_sending",
        )
        assert entry.actor == "ops" and entry.at == clock.now()
        assert entry.definition_version == 1

    def test_journal_rows_cannot_be_changed(self, engine, db_path):
        import sqlite3

        engine.create("A-1", order_data())
        with sqlite3.connect(db_path) as db, pytest.raises(sqlite3.DatabaseError):
            db.execute("UPDATE journal SET kind = 'applied'")


class TestErrorState:
    def test_an_unmapped_ship_method_lands_in_error_and_retry_fixes_it(self, engine):
        created = engine.create("A-2", order_data(ship_method="TELEPORT"))
        assert created.state == "error" and created.hooks == ()

        with pytest.raises(EventRefused) as refused:
            engine.send("A-2", "retry", {"ship_method": "STILL_WRONG"})
        assert "ship_method_mapped" in str(refused.value)
        assert "'STILL_WRONG'" in str(refused.value)
        assert engine.get("A-2").data["ship_method"] == "TELEPORT"  # nothing merged

        fixed = engine.send("A-2", "retry", {"ship_method": "UPS_GROUND"}, actor="ops")
        assert (fixed.previous_state, fixed.state) == ("error", "new")
        assert fixed.hooks == ("wms_create_order",)
        assert engine.get("A-2").data["ship_method"] == "UPS_GROUND"

    def test_a_wms_rejection_moves_the_order_to_error(self, engine, wms):
        engine.create("A-3", order_data())
        wms.answers["create_order"] = lambda call: HookOutcome.failure(
            "bad address", {"wms_error": "address"}
        )
        counts = engine.dispatch()
        assert counts.failed == 1
        assert engine.get("A-3").state == "error"
        assert engine.get("A-3").data["wms_error"] == "address"


class TestCancelSending:
    def test_cancel_sending_then_resume(self, engine, wms):
        engine.create("A-4", order_data())
        engine.send("A-4", "cancel_sending", actor="ops")
        assert engine.get("A-4").api_value == "new"  # shares the API value of New

        resumed = engine.send("A-4", "resume_sending", actor="ops")
        assert resumed.state == "new" and resumed.hooks == ("wms_create_order",)

        counts = engine.dispatch()
        # The call made at download belongs to the first stay in New: dropped.
        assert (counts.dropped, counts.delivered) == (1, 1)
        assert len(wms.calls) == 1 and wms.calls[0].idempotency_key.endswith(":3")
        assert engine.get("A-4").state == "at_wms"

    def test_a_stale_call_is_dropped_and_journaled(self, engine, wms):
        engine.create("A-5", order_data())
        engine.send("A-5", "cancel_sending")

        counts = engine.dispatch()
        assert counts.dropped == 1 and wms.calls == []
        dropped = [e for e in engine.history("A-5") if e.kind == "hook_dropped"]
        assert len(dropped) == 1 and "left state 'new'" in (dropped[0].reason or "")
        assert engine.pending_calls("A-5") == []


class TestCancelFromCart:
    def test_a_new_order_is_canceled_without_any_call(self, engine, wms, cart):
        engine.create("A-6", order_data())
        assert engine.send("A-6", "cancel").state == "canceled"
        engine.dispatch()
        assert wms.calls == [] and cart.calls == []

    @pytest.mark.parametrize("push", [False, True])
    def test_at_wms_the_wms_cancels_first_and_the_cart_hears_when_the_setting_says(
        self, make_engine, wms, cart, push
    ):
        engine = make_engine(
            settings={"ship_method_map": MAPPED, "send_cancellations_to_cart": push}
        )
        engine.create("A-7", order_data())
        engine.dispatch()

        asked = engine.send("A-7", "cancel")
        assert asked.state == "at_wms" and asked.hooks == ("wms_cancel_order",)
        engine.dispatch()

        assert engine.get("A-7").state == "canceled"
        assert wms.actions() == ["create_order", "cancel_order"]
        assert cart.actions() == (["cancel_order"] if push else [])

    def test_a_wms_that_cannot_cancel_keeps_the_order_at_wms(self, engine, wms):
        engine.create("A-8", order_data())
        engine.dispatch()
        wms.answers["cancel_order"] = lambda call: HookOutcome.failure("packed")
        engine.send("A-8", "cancel")
        assert engine.dispatch().failed == 1
        assert engine.get("A-8").state == "at_wms"


class TestRetrySchedule:
    def test_retries_follow_the_policy_until_exhaustion_fires_its_event(self, engine, wms, clock):
        wms.answers["create_order"] = lambda call: HookOutcome.retry("WMS down")
        engine.create("A-9", order_data())
        policy = engine.definition.hooks["wms_create_order"].retry
        start = clock.now()

        for attempt in range(1, policy.attempts):
            assert engine.dispatch().retrying == 1
            call = engine.pending_calls("A-9")[0]
            assert call.attempts == attempt
            assert call.next_due == clock.now() + policy.delay_after(attempt)
            assert engine.dispatch().total == 0  # not due yet
            clock.move_to(call.next_due)

        counts = engine.dispatch()
        assert counts.exhausted == 1
        assert len(wms.calls) == policy.attempts
        assert clock.now() - start < policy.give_up_after
        assert engine.get("A-9").state == "error"  # wms_send_expired
        assert engine.history("A-9")[-1].event == "wms_send_expired"

    def test_retry_after_from_the_far_side_wins_when_longer(self, engine, wms, clock):
        wms.answers["create_order"] = lambda call: HookOutcome.retry("slow down", 7200)
        engine.create("A-10", order_data())
        engine.dispatch()
        assert engine.pending_calls("A-10")[0].next_due == clock.now() + 7200

    def test_an_adapter_that_raises_is_retried_not_lost(self, engine, wms, caplog):
        def broken(call):
            raise ConnectionError("socket closed")

        wms.answers["create_order"] = broken
        engine.create("A-11", order_data())
        with caplog.at_level(logging.WARNING, logger="engine.hooks.outbox"):
            assert engine.dispatch().retrying == 1
        assert "'A-11'" in caplog.text and "socket closed" in caplog.text
        assert engine.pending_calls("A-11")[0].last_error.endswith("socket closed")


class TestOutcomeRefused:
    def test_an_outcome_the_state_refuses_is_journaled_not_raised(self, engine, wms):
        engine.create("A-12", order_data())
        engine.dispatch()
        engine.send("A-12", "cancel")  # asks the WMS to cancel: a call bound to the transition
        engine.send("A-12", "wms_cancel")  # the WMS canceled it on its own meanwhile

        counts = engine.dispatch()
        assert counts.delivered == 2 and wms.actions()[-1] == "cancel_order"
        refused = [e for e in engine.history("A-12") if e.kind == "refused"]
        assert [(e.event, e.source) for e in refused] == [("wms_cancel_accepted", "canceled")]
        assert refused[0].actor == "hook:wms_cancel_order"
        assert "not allowed now (order 'A-12' in state 'canceled')" in (refused[0].reason or "")
        assert engine.get("A-12").state == "canceled"


class TestIdempotency:
    def test_a_repeated_key_returns_the_first_result_and_changes_nothing(self, engine, db_path):
        from tests.runtime.conftest import snapshot

        first = engine.create("A-14", order_data(), idempotency_key="shopify:A-14")
        before = snapshot(db_path)
        again = engine.create("A-14", order_data(), idempotency_key="shopify:A-14")

        assert again.duplicate and not first.duplicate
        assert again.as_dict() == first.as_dict()
        assert snapshot(db_path) == before

    def test_a_repeated_refusal_is_raised_again_without_a_new_entry(self, engine):
        engine.create("A-15", order_data())
        for _ in range(2):
            with pytest.raises(EventRefused):
                engine.send("A-15", "ship", {}, idempotency_key="wms:ship:1")
        assert [e.kind for e in engine.history("A-15")].count("refused") == 1

    def test_send_download_on_an_unknown_order_creates_it(self, engine):
        assert engine.send("A-16", "download", order_data("A-16")).state == "new"


class TestQueries:
    def test_orders_by_state_api_value_and_filter(self, engine):
        engine.create("N-1", order_data("N-1"))
        engine.create("C-1", order_data("C-1"))
        engine.send("C-1", "cancel_sending")
        engine.create("E-1", order_data("E-1", ship_method="NOPE"))

        assert [o.order_id for o in engine.orders(state="cancel_sending")] == ["C-1"]
        assert {o.order_id for o in engine.orders(api_value="new")} == {"N-1", "C-1"}
        assert {o.order_id for o in engine.orders(api_value="new_or_at_wms")} == {"N-1", "C-1"}
        assert {o.order_id for o in engine.orders(api_value="any")} == {"N-1", "C-1", "E-1"}
        assert len(engine.orders()) == 3

    def test_allowed_events_and_explain(self, engine):
        engine.create("A-17", order_data())
        engine.dispatch()
        assert engine.allowed_events("A-17") == ("resend_to_wms", "cancel", "wms_cancel")

        why = engine.explain("A-17", "ship", {"packages": []})
        assert not why.allowed and why.refusals[0].guard == "has_packages"
        assert why.refusals[0].values == {"order.packages": []}

        ok = engine.explain("A-17", "ship", PACKAGES)
        assert ok.allowed and ok.target == "shipped"
        assert engine.get("A-17").state == "at_wms"  # explaining changes nothing


class TestLogging:
    def test_transitions_at_debug_refusals_at_warning(self, engine, caplog):
        with caplog.at_level(logging.DEBUG, logger="engine.runtime"):
            engine.create("A-18", order_data())
            with pytest.raises(EventRefused):
                engine.send("A-18", "ship", {})
        levels = {(r.levelname, "'A-18'" in r.getMessage()) for r in caplog.records}
        assert ("DEBUG", True) in levels and ("WARNING", True) in levels


class TestErrorsAreClear:
    def test_unknown_order(self, engine):
        with pytest.raises(OrderNotFound, match="no order 'ZZ'"):
            engine.send("ZZ", "cancel")

    def test_created_twice(self, engine):
        engine.create("A-19", order_data())
        with pytest.raises(OrderExists, match="'A-19' exists already"):
            engine.create("A-19", order_data())

    def test_expected_version(self, engine):
        engine.create("A-20", order_data())
        with pytest.raises(VersionConflict, match="at version 1, not the expected 7"):
            engine.send("A-20", "cancel", expected_version=7)

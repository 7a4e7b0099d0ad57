"""The python, simulated and record adapters, and make_adapter."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from engine.errors import HookError
from engine.hooks.adapter import Adapter, HookCall, HookOutcome
from engine.hooks.adapters import (
    HttpAdapter,
    PythonAdapter,
    RecordingAdapter,
    SimulatedCart,
    SimulatedWms,
    make_adapter,
    wms_order_id,
)

SETTINGS = {"ship_method_map": {"standard": {"carrier": "USPS", "method": "09"}}}


def call(
    action: str, order: dict[str, Any], *, channel: str = "wms", attempt: int = 1
) -> HookCall:
    return HookCall(
        call_id=1,
        order_id=str(order.get("id", "EX-9")),
        hook=f"{channel}_{action}",
        channel=channel,
        action=action,
        idempotency_key="key-1",
        payload={"order": order, "event": {}},
        attempt=attempt,
    )


class TestPythonAdapter:
    def test_none_and_dict_answers_are_successes(self) -> None:
        assert PythonAdapter(lambda c: None).deliver(call("x", {})) == HookOutcome.success()
        outcome = PythonAdapter(lambda c: {"seen": c.order_id}).deliver(call("x", {"id": "A"}))
        assert outcome == HookOutcome.success({"seen": "A"})

    def test_an_outcome_is_passed_on_as_it_is(self) -> None:
        refused = HookOutcome.failure("no such SKU", {"error_code": "sku"})
        assert PythonAdapter(lambda c: refused).deliver(call("x", {})) is refused

    def test_an_exception_becomes_a_retry_that_keeps_the_message(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        def broken(c: HookCall) -> None:
            raise ConnectionError("warehouse API went away")

        with caplog.at_level(logging.WARNING):
            outcome = PythonAdapter(broken).deliver(call("x", {"id": "EX-5"}))

        assert outcome.status == "retry"
        assert "ConnectionError: warehouse API went away" in outcome.message
        assert any("EX-5" in r.getMessage() for r in caplog.records)

    def test_an_answer_of_the_wrong_type_is_retried_not_lost(self) -> None:
        outcome = PythonAdapter(lambda c: "ok").deliver(call("x", {}))  # type: ignore[arg-type,return-value]

        assert outcome.status == "retry"
        assert "'str'" in outcome.message

    def test_something_not_callable_is_refused(self) -> None:
        with pytest.raises(TypeError, match="not callable"):
            PythonAdapter("print")  # type: ignore[arg-type]


class TestSimulatedWms:
    def test_a_mapped_ship_method_is_accepted_with_a_stable_wms_id(self) -> None:
        wms = SimulatedWms(SETTINGS)
        order = {"id": "EX-1", "ship_method": "standard"}

        first = wms.deliver(call("create_order", order))
        again = wms.deliver(call("create_order", order, attempt=2))

        assert first.status == "success"
        assert first.data["wms_order_id"] == wms_order_id("EX-1") == again.data["wms_order_id"]
        assert first.data["carrier"] == "USPS" and first.data["method"] == "09"
        assert wms_order_id("EX-2") != wms_order_id("EX-1")

    @pytest.mark.parametrize("ship_method", ["Overnight Saver", "", None, 7])
    def test_an_unmapped_ship_method_is_refused_for_good(self, ship_method: object) -> None:
        outcome = SimulatedWms(SETTINGS).deliver(
            call("create_order", {"id": "EX-1", "ship_method": ship_method})
        )

        assert outcome.status == "failure"
        assert outcome.data["error_code"] == "unmapped_ship_method"
        assert repr(ship_method) in outcome.message and "'standard'" in outcome.message

    def test_without_settings_nothing_is_mapped(self) -> None:
        outcome = SimulatedWms().deliver(call("create_order", {"ship_method": "standard"}))
        assert outcome.data["error_code"] == "unmapped_ship_method"

    def test_cancel_is_accepted_unless_picked_or_packed(self) -> None:
        wms = SimulatedWms(SETTINGS)

        assert wms.deliver(call("cancel_order", {"id": "EX-1"})).status == "success"
        for status in ("picked", "packed"):
            outcome = wms.deliver(call("cancel_order", {"id": "EX-1", "wms_status": status}))
            assert outcome.status == "failure"
            assert outcome.data == {"error_code": f"already_{status}"}

    def test_an_unavailable_order_is_retried_on_every_action(self) -> None:
        order = {"id": "EX-1", "ship_method": "standard", "wms_status": "unavailable"}
        for action in ("create_order", "cancel_order"):
            assert SimulatedWms(SETTINGS).deliver(call(action, order)).status == "retry"

    def test_the_order_may_be_the_payload_itself(self) -> None:
        bare = HookCall(1, "EX-1", "h", "wms", "create_order", "k", {"ship_method": "standard"})
        assert SimulatedWms(SETTINGS).deliver(bare).status == "success"

    def test_an_unknown_action_is_a_permanent_failure(self) -> None:
        outcome = SimulatedWms(SETTINGS).deliver(call("hold_order", {"id": "EX-1"}))
        assert outcome.status == "failure"
        assert "'hold_order'" in outcome.message and "create_order" in outcome.message

    def test_a_ship_method_map_that_is_not_a_mapping_is_refused(self) -> None:
        with pytest.raises(TypeError, match="ship_method_map"):
            SimulatedWms({"ship_method_map": ["standard"]})


class TestSimulatedCart:
    def test_tracking_on_every_package_is_confirmed(self) -> None:
        packages = [{"tracking": "T1"}, {"carrier": "UPS", "tracking": "T2"}]
        outcome = SimulatedCart().deliver(
            call("confirm_shipment", {"packages": packages}, channel="cart")
        )
        assert outcome == HookOutcome.success({"tracking": ["T1", "T2"]})

    @pytest.mark.parametrize(
        "packages",
        [[], None, [{"tracking": ""}], [{"tracking": "T1"}, {"carrier": "UPS"}], ["T1"]],
    )
    def test_missing_tracking_is_refused(self, packages: object) -> None:
        outcome = SimulatedCart().deliver(
            call("confirm_shipment", {"packages": packages}, channel="cart")
        )
        assert outcome.status == "failure"
        assert outcome.data == {"error_code": "missing_tracking"}

    def test_cancel_is_always_accepted(self) -> None:
        outcome = SimulatedCart().deliver(call("cancel_order", {}, channel="cart"))
        assert outcome.status == "success"


class TestRecordingAdapter:
    def test_every_call_is_kept_and_answered_with_success(self) -> None:
        recorder = RecordingAdapter("wms")
        calls = [call("create_order", {"id": f"EX-{n}"}) for n in range(3)]

        outcomes = [recorder.deliver(c) for c in calls]

        assert recorder.calls == calls
        assert {o.status for o in outcomes} == {"success"}

    def test_calls_are_appended_to_a_file_as_json_lines(self, tmp_path: Path) -> None:
        path = tmp_path / "calls.jsonl"
        path.write_text('{"earlier": true}\n')
        recorder = RecordingAdapter("cart", path=path)

        recorder.deliver(call("cancel_order", {"id": "EX-1"}, channel="cart"))
        recorder.deliver(call("confirm_shipment", {"id": "EX-2"}, channel="cart"))

        lines = [json.loads(line) for line in path.read_text().splitlines()]
        assert lines[0] == {"earlier": True}
        assert [line["action"] for line in lines[1:]] == ["cancel_order", "confirm_shipment"]
        assert lines[2]["payload"]["order"] == {"id": "EX-2"}


class TestMakeAdapter:
    def test_each_spec_builds_its_adapter(self) -> None:
        wms = make_adapter("simulated", "wms", settings=SETTINGS)
        assert isinstance(wms, SimulatedWms) and wms.ship_method_map == SETTINGS["ship_method_map"]
        assert isinstance(make_adapter("simulated", "cart"), SimulatedCart)
        assert isinstance(make_adapter(" record ", "wms"), RecordingAdapter)

        http = make_adapter("http://127.0.0.1:9/hooks", "wms", secret="k")
        assert isinstance(http, HttpAdapter) and isinstance(http, Adapter)
        http.close()

    def test_a_url_reads_the_channel_secret_from_the_environment(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("LIFECYCLE_WMS_SECRET", "from-env")
        http = make_adapter("https://127.0.0.1/hooks", "wms")
        assert isinstance(http, HttpAdapter)
        assert "signed" in repr(http) and "unsigned" not in repr(http)
        http.close()

    @pytest.mark.parametrize("spec", ["simulatd", "", "  ", "ftp://127.0.0.1", "wms.example"])
    def test_a_bad_spec_names_the_valid_ones(self, spec: str) -> None:
        with pytest.raises(HookError) as caught:
            make_adapter(spec, "wms")

        message = str(caught.value)
        assert repr(spec) in message and "'wms'" in message
        assert "'simulated', 'record', or an http:// or https:// URL" in message

    def test_there_is_no_simulated_adapter_for_another_channel(self) -> None:
        with pytest.raises(HookError, match=r"no simulated 'erp'.*wms, cart"):
            make_adapter("simulated", "erp")

"""Guard expressions compile once, report their place, and read only their three variables."""

from __future__ import annotations

import pytest

from engine.guards import GuardEvaluationError, GuardSyntaxError, compile_guard

ORDER = {"ship_method": "01", "packages": [{"tracking": "1Z"}, {"tracking": ""}]}
SETTINGS = {"ship_method_map": {"01": {"carrier": "USPS", "method": "First"}}}


def test_an_expression_reads_order_event_and_settings() -> None:
    guard = compile_guard("order.ship_method in settings.ship_method_map && event.ok")

    assert guard(ORDER, {"ok": True}, SETTINGS) is True
    assert guard(ORDER, {"ok": False}, SETTINGS) is False
    assert guard.variables == ("order", "settings", "event") or set(guard.variables) == {
        "order",
        "settings",
        "event",
    }


def test_macro_locals_are_not_outside_variables() -> None:
    guard = compile_guard('order.packages.all(p, has(p.tracking) && p.tracking != "")')

    assert guard.variables == ("order",)
    assert guard(ORDER, {}, {}) is False


def test_an_unknown_variable_is_located_inside_the_expression() -> None:
    with pytest.raises(GuardSyntaxError) as caught:
        compile_guard("order.x == 1\n  && custmer.vip")

    assert (caught.value.line, caught.value.column) == (2, 6)
    assert "unknown variable 'custmer'" in str(caught.value)


def test_a_local_does_not_hide_a_misspelled_variable_elsewhere() -> None:
    with pytest.raises(GuardSyntaxError, match="unknown variable 'q'"):
        compile_guard("order.packages.all(p, q)")


def test_a_syntax_error_carries_a_one_based_column() -> None:
    with pytest.raises(GuardSyntaxError) as caught:
        compile_guard("order.ship_method in (")

    assert (caught.value.line, caught.value.column) == (1, 23)


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_expression_is_refused(text: str) -> None:
    with pytest.raises(GuardSyntaxError, match="empty"):
        compile_guard(text)


def test_missing_data_is_an_evaluation_error_naming_the_key() -> None:
    guard = compile_guard("order.ship_method == '01'")

    with pytest.raises(GuardEvaluationError, match="'ship_method'"):
        guard({}, {}, {})


def test_a_result_that_is_not_a_boolean_is_an_evaluation_error() -> None:
    guard = compile_guard("size(order.packages)")

    with pytest.raises(GuardEvaluationError, match="not true or false"):
        guard(ORDER, {}, {})

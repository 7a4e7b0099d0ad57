"""The semantic checks run beside schema problems, over the parts the schema did not fault.

Each case pairs a schema mistake with either a separate real mistake (both must be
reported) or with uses of the faulted part (which must not be reported as unknown).
"""

from __future__ import annotations

import pytest

from engine.definition.loader import check_definition

BASE = """\
lifecycle: tiny
version: 1
settings:
  limit: {type: number, default: 10}
channels:
  shop: {}
states:
  open: {label: Open, hooks: [notify]}
  paid: {label: Paid}
  done: {label: Done, final: true}
events:
  start: {}
  pay: {}
  finish: {}
  sent: {}
guards:
  small: {expression: order.total < settings.limit}
hooks:
  notify: {channel: shop, on_success: sent}
transitions:
  - {event: start, target: open}
  - {event: pay, source: open, target: paid, guard: small}
  - {event: finish, source: paid, target: done}
  - {event: sent, source: done, target: done}
"""


def found(text: str) -> list[str]:
    definition, problems = check_definition(text)
    assert definition is None
    return [f"{p.code} {p.line}:{p.column}" for p in problems]


def test_the_base_is_valid_apart_from_its_last_line() -> None:
    # The last transition leaves a final state: the one semantic mistake the base carries,
    # so that every case below shows semantic checks still run.
    assert found(BASE) == ["LC314 24:27"]


VALID = BASE.replace("  - {event: sent, source: done, target: done}\n", "")


def test_the_valid_base_loads() -> None:
    definition, problems = check_definition(VALID)
    assert problems == []
    assert definition is not None


def test_a_misspelled_key_and_an_unknown_target_are_both_reported() -> None:
    text = VALID.replace("{label: Paid}", "{lable: Paid}").replace(
        "source: paid, target: done", "source: paid, target: doen"
    )

    assert found(text) == ["LC201 9:10", "LC301 23:43"]


@pytest.mark.parametrize(
    ("mistake", "expected"),
    [
        # A state with a schema error is still declared: using it is not an unknown state.
        (("{label: Paid}", "{label: Paid, final: maybe}"), ["LC203 9:30"]),
        # Which name was meant is unknown, so no use of a state is judged.
        (("  paid: {label", "  paid now: {label"), ["LC206 9:3"]),
        # Without an events section, no event can be called undeclared.
        (("events:\n  start: {}\n  pay: {}\n  finish: {}\n  sent: {}\n", ""), ["LC202 1:1"]),
        (("states:\n", "states: 3\nstatez:\n"), ["LC203 7:9", "LC201 8:1"]),
        # A guard, setting, channel or hook with a fault is still declared.
        (("{expression: order.total", "{python: yes, expresion: order.total"), ["LC201 17:24"]),
        (("{type: number, default: 10}", "{type: float, default: 10}"), ["LC205 4:17"]),
        (("  shop: {}", "  shop: {url: x}"), ["LC201 6:10"]),
        (
            ("{channel: shop, on_success: sent}", "{channel: shop, on_sucess: sent}"),
            ["LC201 19:27"],
        ),
        # The graph is not judged without every transition: 'paid' is reached by a damaged one.
        (
            ("source: open, target: paid, guard: small}", "source: open, target: paid, guard: 5}"),
            ["LC204 22:53"],
        ),
        # The creating transition is damaged: no 'nothing creates an order'.
        (
            ("{event: start, target: open}", "{event: start, taget: open}"),
            [
                "LC202 21:5",
                "LC201 21:20",
            ],
        ),
    ],
)
def test_uses_of_a_faulted_part_are_not_knock_on_problems(
    mistake: tuple[str, str], expected: list[str]
) -> None:
    old, new = mistake
    assert old in VALID
    assert found(VALID.replace(old, new)) == expected


@pytest.mark.parametrize(
    ("mistake", "semantic"),
    [
        (("{label: Paid}", "{label: Paid, final: maybe}"), "LC314 24:27"),
        (("version: 1", "version: one"), "LC314 24:27"),
        (("{event: start, target: open}", "{event: start, taget: open}"), "LC314 24:27"),
        (("on_success: sent}", "on_success: sent, retry: {attempts: x}}"), "LC314 24:27"),
    ],
)
def test_a_real_semantic_problem_is_reported_beside_a_schema_problem(
    mistake: tuple[str, str], semantic: str
) -> None:
    old, new = mistake
    problems = found(BASE.replace(old, new))

    assert semantic in problems
    assert any(p.startswith("LC2") for p in problems)


def test_an_unknown_state_in_a_damaged_transition_is_not_reported() -> None:
    # Its other key is misspelled: the transition as a whole is not judged.
    text = VALID.replace("source: paid, target: done}", "source: paid, target: dnoe, gaurd: x}")

    assert found(text) == ["LC201 23:49"]


def test_a_missing_top_level_key_leaves_the_rest_checked() -> None:
    text = BASE.replace("lifecycle: tiny\n", "")

    assert found(text) == ["LC202 1:1", "LC314 23:27"]

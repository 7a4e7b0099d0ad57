"""Exact messages, pinned: a change to any of them must be deliberate."""

from __future__ import annotations

import pytest

from engine.definition.loader import check_definition
from engine.errors import Problem

BASE = """\
lifecycle: tiny
version: 1
states:
  open: {label: Open}
  done: {label: Done, final: true}
events:
  start: {}
  finish: {}
transitions:
  - {event: start, target: open}
  - {event: finish, source: open, target: done}
"""


def only_problem(text: str) -> str:
    definition, problems = check_definition(text)
    assert definition is None
    assert len(problems) == 1, problems
    return str(problems[0])


class TestMessages:
    def test_duplicate_key(self) -> None:
        text = BASE.replace("version: 1\n", "version: 1\nversion: 1\n")
        assert only_problem(text) == (
            "<string>:3:1: LC113 the key 'version' is given twice, on lines 2 and 3; "
            "remove or rename one of them"
        )

    def test_misspelled_key(self) -> None:
        text = BASE.replace("{label: Open}", "{lable: Open}")
        assert only_problem(text) == (
            "<string>:4:10: LC201 unknown key 'lable' (at states.open.lable); "
            "did you mean 'label'? valid keys here: api_value, end, error, final, hooks, "
            "label, meaning"
        )

    def test_yaml_boolean_where_a_name_belongs(self) -> None:
        text = BASE.replace("target: done}", "target: off}")
        assert only_problem(text) == (
            "<string>:11:43: LC204 'off' is read by YAML as a boolean False, not as a text "
            "(at transitions[1].target); quote it to mean the text: 'off'"
        )

    def test_unknown_state(self) -> None:
        text = BASE.replace("source: open", "source: opne")
        assert only_problem(text) == (
            "<string>:11:29: LC301 unknown state 'opne' (at transitions[1].source); "
            "did you mean 'open'? declared states: open, done"
        )

    def test_guard_that_does_not_compile(self) -> None:
        text = BASE.replace("target: done}", "target: done, guard: 'order.total >'}")
        assert only_problem(text) == (
            "<string>:11:70: LC307 the expression 'order.total >' does not compile: "
            "Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', "
            "'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER} "
            "(at transitions[1].guard); a guard is a CEL expression over order, event and settings"
        )

    def test_shadowed_transition(self) -> None:
        text = BASE + "  - {event: finish, source: open, target: open}\n"
        assert only_problem(text) == (
            "<string>:12:5: LC316 the transition for 'finish' from 'open' never runs: "
            "the one on line 11 has no guard (at transitions[2]); give the earlier "
            "transition a guard, or move this one before it"
        )

    def test_alias(self) -> None:
        text = BASE.replace("{label: Done, final: true}", "&d {label: Done, final: true}")
        text += "filters:\n  closed: *d\n"
        assert only_problem(text) == (
            "<string>:13:11: LC108 the alias *d is not allowed; write the value out in full; "
            "anchors and aliases are not supported"
        )

    def test_an_integer_too_long_to_read(self) -> None:
        text = BASE.replace("version: 1", "version: " + "7" * 5000)
        assert only_problem(text) == (
            "<string>:2:10: LC111 the number '7777777777777777777777777777777777777...' has "
            "5000 digits, more than the 4300 that can be read (at version); write a smaller "
            "number, or quote the value to mean it as a text"
        )

    def test_a_python_tag(self) -> None:
        text = BASE.replace("{label: Open}", "{label: !!python/name:os.system x}")
        assert only_problem(text) == (
            "<string>:4:17: LC110 the tag '!!python/name:os.system' is not supported "
            "(at states.open.label); write a plain YAML value (a text, number, boolean, list "
            "or mapping) with no tag"
        )

    def test_a_custom_tag_on_a_mapping(self) -> None:
        text = BASE.replace("{label: Open}", "!state {label: Open}")
        assert only_problem(text) == (
            "<string>:4:9: LC110 the tag '!state' is not supported; write a plain YAML value "
            "(a text, number, boolean, list or mapping) with no tag"
        )

    def test_an_empty_label(self) -> None:
        text = BASE.replace("{label: Open}", "\n    label:\n")
        assert only_problem(text) == (
            "<string>:5:11: LC204 the value of 'label' is empty (YAML reads it as null), not "
            "a text (at states.open.label); a label is text shown to people: write one, such "
            "as 'label: Shipped', or remove the key to show the state's name"
        )

    @pytest.mark.parametrize(
        ("kind", "default", "article"),
        [
            ("object", "3", "an"),
            ("integer", "x", "an"),
            ("array", "3", "an"),
            ("string", "3", "a"),
        ],
    )
    def test_a_setting_default_of_the_wrong_type(
        self, kind: str, default: str, article: str
    ) -> None:
        text = BASE + f"settings:\n  limit: {{type: {kind}, default: {default}}}\n"
        assert only_problem(text).endswith(f"; give {article} {kind} default")


def test_problem_text_layout() -> None:
    problem = Problem("LC301", "unknown state 'x'", "a.yaml", 3, 7, "transitions[0].target", "h")
    assert str(problem) == "a.yaml:3:7: LC301 unknown state 'x' (at transitions[0].target); h"


@pytest.mark.parametrize("style", ["plain", "quoted"])
def test_single_line_guard_error_points_into_the_expression(style: str) -> None:
    expression = "order.total > && true"
    written = expression if style == "plain" else f'"{expression}"'
    text = BASE.replace(
        "  - {event: finish, source: open, target: done}\n",
        f"  - event: finish\n    source: open\n    target: done\n    guard: {written}\n",
    )

    _, problems = check_definition(text)

    [problem] = problems
    line = text.splitlines()[problem.line - 1]
    assert line.strip().startswith("guard:")
    assert line[problem.column - 1 :].startswith("&& true")


def test_literal_block_guard_error_points_at_its_line() -> None:
    text = BASE.replace(
        "  - {event: finish, source: open, target: done}\n",
        "  - event: finish\n"
        "    source: open\n"
        "    target: done\n"
        "    guard: |\n"
        "      has(order.total)\n"
        "        && order.total > )\n",
    )

    [problem] = check_definition(text)[1]

    line = text.splitlines()[problem.line - 1]
    assert line.endswith("&& order.total > )")
    assert line[problem.column - 1 :] == ")"

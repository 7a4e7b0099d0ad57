"""The Markdown docs page, and the checked-in docs of the order lifecycle."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace

import pytest

from engine.definition.model import Definition, RetryPolicy, State
from engine.diagrams import docs_page, render
from engine.diagrams.markdown import duration_in_words, retry_in_words
from engine.lifecycle import Lifecycle
from tests.conftest import ROOT, require_program
from tests.diagrams.checks import run_strict_dot

DOCS = ROOT / "docs"

# The reference table of the design, row for row; the page must carry exactly this.
REFERENCE_TABLE = """\
| Status | API value | Meaning |
| --- | --- | --- |
| New | `new` | Downloaded from the cart; will be sent to the WMS. |
| Cancel Sending | `new` | Downloaded from the cart, but will NOT be sent to the WMS. |
| At WMS | `at_wms` | Sent to the WMS. |
| Shipped | `shipped` | Tracking received from the WMS. |
| Confirmed | `confirmed` | Tracking sent back to the cart. |
| Error | `error` | Held because of errors (unmapped ship method, address error); \
flagged in the UI. |
| Canceled | `canceled` | Not shown on the orders screen; still returned by the API. |
"""


def table_after(page: str, heading: str) -> list[str]:
    section = page.split(f"## {heading}\n\n", 1)[1].split("\n## ", 1)[0]
    return [line for line in section.splitlines() if line.startswith("|")]


class TestOrderPage:
    def test_status_table_is_the_reference_table(self, order_lifecycle: Lifecycle) -> None:
        page = docs_page(order_lifecycle)
        assert REFERENCE_TABLE in page

    def test_cancel_sending_shows_the_api_value_of_new(self, order_lifecycle: Lifecycle) -> None:
        rows = table_after(docs_page(order_lifecycle), "Statuses")
        assert "| Cancel Sending | `new` |" in rows[3]

    def test_every_transition_has_a_row_in_definition_order(
        self, order_lifecycle: Lifecycle
    ) -> None:
        rows = table_after(docs_page(order_lifecycle), "Transitions")[2:]
        events = [row.split("`")[1] for row in rows]
        assert events == [t.event for t in order_lifecycle.transitions]
        assert "| `download` | (creates the order) | `error` | none | none |" in rows

    def test_hooks_table_says_the_retry_policy_and_outcomes(
        self, order_lifecycle: Lifecycle
    ) -> None:
        rows = table_after(docs_page(order_lifecycle), "Hooks")
        create = next(row for row in rows if row.startswith("| `wms_create_order`"))
        assert "up to 360 tries, every 1 hour; gives up after 15 days" in create
        assert "fires `wms_rejected` | fires `wms_send_expired` |" in create

    def test_embeds_the_mermaid_diagram(self, order_lifecycle: Lifecycle) -> None:
        page = docs_page(order_lifecycle)
        assert f"```mermaid\n{render(order_lifecycle, 'mermaid')}```" in page


class TestHostileText:
    def definition(self, order_lifecycle: Lifecycle) -> Definition:
        definition = order_lifecycle.definition
        new = replace(definition.states["new"], label="New | or\nnot", meaning="a | b\nc `d` <e>")
        return replace(definition, states={**definition.states, "new": new})

    def test_pipes_and_newlines_stay_inside_their_cell(self, order_lifecycle: Lifecycle) -> None:
        rows = table_after(docs_page(self.definition(order_lifecycle)), "Statuses")
        new_row = rows[2]
        cells = re.split(r"(?<!\\)\|", new_row)[1:-1]
        assert len(cells) == 3
        assert cells[0].strip() == "New \\| or<br>not"
        assert "&lt;e&gt;" in cells[2]

    def test_a_state_with_no_meaning_still_gives_a_whole_row(self) -> None:
        definition = Definition(
            "x", 1, "", {"a": State("a", "A", "a")}, {}, (), {}, {}, {}, {}, {}
        )
        assert "| A | `a` |  |" in docs_page(definition)


class TestRetryInWords:
    @pytest.mark.parametrize(
        ("seconds", "words"),
        [(3600, "1 hour"), (86400 * 15, "15 days"), (90, "90 seconds"), (1.5, "1.5 seconds")],
    )
    def test_durations(self, seconds: float, words: str) -> None:
        assert duration_in_words(seconds) == words

    def test_backoff_and_cap(self) -> None:
        policy = RetryPolicy(attempts=5, interval=60, backoff=2, max_interval=600)
        assert retry_in_words(policy) == (
            "up to 5 tries, every 1 minute, times 2 after each failure, at most 10 minutes apart"
        )

    def test_single_try(self) -> None:
        assert retry_in_words(RetryPolicy()) == "one try, no retry"


class TestCheckedInDocs:
    """docs/ holds generated files; each test fails when one is stale.

    Run scripts/regenerate-docs after changing definitions/order.yaml.
    """

    def test_page_is_current(self, order_lifecycle: Lifecycle) -> None:
        committed = (DOCS / "order-lifecycle.md").read_text("utf-8")
        assert committed == docs_page(order_lifecycle), "run scripts/regenerate-docs"

    def test_dot_source_is_current(self, order_lifecycle: Lifecycle) -> None:
        committed = (DOCS / "order-lifecycle.dot").read_text("utf-8")
        assert committed == render(order_lifecycle, "dot"), "run scripts/regenerate-docs"

    def test_svg_is_drawn_from_the_dot_source(self) -> None:
        """Byte-equal where this Graphviz drew the committed SVG; otherwise same labels.

        The DOT source is what the staleness check pins; the SVG's exact bytes depend on
        the Graphviz version, so another version only has to draw the same text.
        """
        dot = require_program("dot")
        source = (DOCS / "order-lifecycle.dot").read_text("utf-8")
        committed = (DOCS / "order-lifecycle.svg").read_bytes()
        fresh = run_strict_dot(dot, source)

        if _graphviz_version(committed) == _graphviz_version(fresh):
            assert committed == fresh, "run scripts/regenerate-docs"
        else:
            assert _texts(committed) == _texts(fresh), "run scripts/regenerate-docs"

    def test_regenerate_script_is_documented_and_runnable(self) -> None:
        script = ROOT / "scripts" / "regenerate-docs"
        assert script.stat().st_mode & 0o111
        completed = subprocess.run(["sh", "-n", str(script)], capture_output=True)
        assert completed.returncode == 0, completed.stderr


def _graphviz_version(svg: bytes) -> bytes:
    found = re.search(rb"Generated by graphviz version ([^\n]*)", svg)
    return found.group(1) if found else b""


def _texts(svg: bytes) -> list[bytes]:
    return re.findall(rb"<text[^>]*>(.*?)</text>", svg, re.DOTALL)

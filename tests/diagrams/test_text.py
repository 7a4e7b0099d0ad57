"""The text rules every format shares: wrapping, shortening, escaping."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.diagrams import text


class TestWrap:
    def test_short_text_stays_on_one_line(self) -> None:
        assert text.wrap("At WMS") == ["At WMS"]

    def test_breaks_between_words_at_the_width(self) -> None:
        lines = text.wrap("resend tracking to the cart once more please", width=20)
        assert lines == ["resend tracking to", "the cart once more", "please"]

    def test_cuts_a_word_longer_than_the_width(self) -> None:
        assert text.wrap("x" * 30 + " end", width=12) == ["x" * 12, "x" * 12, "xxxxxx end"]

    def test_breaks_a_dotted_name_between_names_not_inside_one(self) -> None:
        # A hard cut at 28 would leave "settings.send_cancellations_" / "to_cart".
        assert text.wrap("settings.send_cancellations_to_cart") == [
            "settings.",
            "send_cancellations_to_cart",
        ]

    def test_breaks_a_long_name_after_its_last_underscore_or_dash_that_fits(self) -> None:
        assert text.wrap("wms_send_expired_after-retry", width=20) == [
            "wms_send_expired_",
            "after-retry",
        ]
        assert text.wrap("resend-tracking-to-cart", width=12) == [
            "resend-",
            "tracking-to-",
            "cart",
        ]

    def test_breaks_a_path_after_a_slash(self) -> None:
        assert text.wrap("carts/shopify/orders/cancel", width=16) == [
            "carts/shopify/",
            "orders/cancel",
        ]

    def test_first_piece_of_a_long_name_finishes_the_line_when_it_fits(self) -> None:
        lines = text.wrap("⇢ cart: cancel if settings.send_cancellations_to_cart")
        assert lines == ["⇢ cart: cancel if settings.", "send_cancellations_to_cart"]

    def test_a_piece_that_does_not_fit_starts_a_new_line(self) -> None:
        assert text.wrap("notify when settings.a_b", width=10) == [
            "notify",
            "when",
            "settings.",
            "a_b",
        ]

    def test_keeps_newlines_as_breaks_and_collapses_other_space(self) -> None:
        assert text.wrap("one\ttwo\n  three  ") == ["one two", "three"]

    def test_empty_text_gives_one_empty_line(self) -> None:
        assert text.wrap("") == [""]

    @given(st.text(max_size=200), st.integers(1, 40))
    def test_no_line_is_longer_than_the_width_and_no_word_is_lost(
        self, value: str, width: int
    ) -> None:
        lines = text.wrap(value, width)
        assert all(len(line) <= width for line in lines)
        assert "".join("".join(lines).split()) == "".join(value.split())

    @given(
        st.lists(st.text("abc", min_size=1, max_size=12), min_size=2, max_size=6),
        st.sampled_from("._-/"),
    )
    def test_a_name_whose_parts_fit_is_never_cut_inside_a_part(
        self, parts: list[str], separator: str
    ) -> None:
        name = separator.join(parts)
        lines = text.wrap(name, width=13)  # one part plus its separator always fits
        assert "".join(lines) == name
        assert all(line.endswith(separator) for line in lines[:-1])


class TestShorten:
    def test_short_expression_is_kept_on_one_line(self) -> None:
        assert text.shorten("order.total >\n 10") == "order.total > 10"

    def test_long_expression_is_cut_with_an_ellipsis(self) -> None:
        cut = text.shorten("settings.send_cancellations_to_cart && order.total > 100")
        assert cut == "settings.send_cancellations_to_cart &&…"
        assert len(cut) <= text.GUARD_WIDTH  # the space before the cut is dropped


class TestEscapes:
    def test_html_codes_markup_characters(self) -> None:
        assert text.html('<b>"a" & b</b>') == "&lt;b&gt;&quot;a&quot; &amp; b&lt;/b&gt;"

    def test_html_codes_a_closing_bracket(self) -> None:
        assert text.html("[x]") == "[x&#93;"

    def test_mermaid_codes_quotes_hashes_and_markup(self) -> None:
        assert text.mermaid('say "hi" #1; <x>') == "say #34;hi#34; #35;1#59; #60;x#62;"

    def test_mermaid_codes_colons_so_no_style_lookalike_remains(self) -> None:
        assert text.mermaid("style: #x;") == "style#58; #35;x#59;"

    def test_mermaid_leaves_letters_and_emoji(self) -> None:
        assert text.mermaid("Straße 📦") == "Straße 📦"

    def test_plantuml_codes_syntax_and_doubled_creole_markers(self) -> None:
        coded = text.plantuml('a "b" \\ $x **bold** c_d e__f')
        assert '"' not in coded and "\\" not in coded and "$" not in coded
        assert "**" not in coded and "__" not in coded
        assert "c_d" in coded  # a single marker is not markup and stays readable

    @pytest.mark.parametrize("value", ["*x", " *x", "-a/b", "- a", "..a..", "....", "_b", "/c"])
    def test_plantuml_codes_a_creole_marker_that_opens_the_line(self, value: str) -> None:
        coded = text.plantuml(value)
        assert coded.lstrip()[:3] == "<U+"
        assert ".." not in coded
        decoded = re.sub(r"<U\+([0-9A-F]+)>", lambda m: chr(int(m.group(1), 16)), coded)
        assert decoded == value

    def test_plantuml_leaves_a_single_marker_inside_the_line(self) -> None:
        assert text.plantuml("a-b c*d e.f") == "a-b c*d e.f"

    @pytest.mark.parametrize("value", ["a|b", "x\ny", "<i>", "`code`", "*em*", "[link]"])
    def test_markdown_cell_escapes_table_and_inline_markup(self, value: str) -> None:
        cell = text.markdown_cell(value)
        assert "\n" not in cell
        assert not re.search(r"(?<!\\)[|*`\[\]]", cell)
        assert "<i>" not in cell

    def test_markdown_code_survives_backticks_and_pipes(self) -> None:
        assert text.markdown_code("a`b|c") == "``a`b\\|c``"
        assert text.markdown_code("") == ""

"""How the Graphviz pictures come out: PNG resolution and where loop labels sit."""

from __future__ import annotations

import html
import re
import struct

import pytest

from engine.diagrams import OrderView, Step, render
from engine.diagrams.render import PNG_DPI
from engine.lifecycle import Lifecycle
from tests.conftest import require_program

# Graphviz gives sizes in points; there are 72 in an inch.
POINTS_PER_INCH = 72
# A label's clear space from its loop, in points; Graphviz alone left the text touching it.
MIN_GAP = 2.0

REFUSED_TWICE = OrderView(
    "A-1",
    "at_wms",
    (
        Step("download", None, "new"),
        Step("wms_accepted", "new", "at_wms"),
        Step("wms_cancel_refused", "at_wms", "at_wms"),
        Step("wms_cancel_refused", "at_wms", "at_wms"),
    ),
)


def picture(lifecycle: Lifecycle, fmt: str, view: OrderView | None = None) -> bytes:
    drawn = render(lifecycle, fmt, order_view=view, strict=True)
    assert isinstance(drawn, bytes)
    return drawn


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def svg_size_in_points(svg: str) -> tuple[float, float]:
    found = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert found, svg[:300]
    return float(found.group(1)), float(found.group(2))


def test_png_is_drawn_at_the_publishing_resolution(order_lifecycle: Lifecycle) -> None:
    require_program("dot")
    width, height = png_size(picture(order_lifecycle, "png"))
    svg = picture(order_lifecycle, "svg").decode("utf-8")
    points = svg_size_in_points(svg)

    scale = PNG_DPI / POINTS_PER_INCH
    assert abs(width - points[0] * scale) <= 2
    assert abs(height - points[1] * scale) <= 2
    assert width >= 2 * points[0]  # at least twice the 72-point size, not the old 96 dpi


def loops(svg: str) -> list[tuple[str, list[float], list[tuple[float, float, str]]]]:
    """Each loop arrow: its title, the y of its path's points, and its label's text lines.

    A text line is (baseline y, font size, text); blank spacer lines are left out.
    """
    found = []
    for group in re.findall(r'<g id="edge\d+" class="edge">(.*?)</g>', svg, re.DOTALL):
        title = html.unescape(re.search(r"<title>(.*?)</title>", group).group(1))
        tail, head = (end.split(":")[0] for end in title.split("->"))
        if tail != head:
            continue
        path = re.search(r'<path[^>]* d="([^"]+)"', group).group(1)
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", path)]
        texts = [
            (float(y), float(size), html.unescape(body))
            for y, size, body in re.findall(
                r'<text[^>]* y="([-\d.]+)"[^>]* font-size="([\d.]+)"[^>]*>(.*?)</text>', group
            )
            if html.unescape(body).strip()
        ]
        found.append((title, numbers[1::2], texts))
    return found


@pytest.mark.parametrize("view", [None, REFUSED_TWICE], ids=["plain", "order-view"])
def test_loop_labels_sit_clear_of_their_loops(
    order_lifecycle: Lifecycle, view: OrderView | None
) -> None:
    require_program("dot")
    svg = picture(order_lifecycle, "svg", view).decode("utf-8")
    drawn = loops(svg)
    assert len(drawn) == 3  # cancel and wms_cancel_refused on At WMS, resend_tracking

    for title, ys, texts in drawn:
        top, bottom = min(ys), max(ys)
        assert texts, title
        for baseline, size, line in texts:
            # A line's ink runs from about 0.75 of its size above the baseline to 0.25 below.
            above = baseline + 0.25 * size <= top - MIN_GAP
            below = baseline - 0.75 * size >= bottom + MIN_GAP
            assert above or below, f"{line!r} of {title} overlaps its loop ({top}..{bottom})"

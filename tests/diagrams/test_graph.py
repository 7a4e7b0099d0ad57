"""What a diagram of the order lifecycle shows, before any format draws it."""

from __future__ import annotations

from engine.diagrams import OrderView, Step, build_graph, render
from engine.diagrams.graph import START, Edge, Graph, Kind
from engine.lifecycle import Lifecycle


def edge(graph: Graph, source: str, target: str, *, internal: bool = False) -> Edge:
    ids = graph.node_ids
    tail = START if source == START else ids[source]
    matches = [
        e
        for e in graph.edges
        if e.source == tail and e.target == ids[target] and e.internal == internal
    ]
    assert len(matches) == 1, matches
    return matches[0]


class TestOrderGraph:
    def test_kinds_of_state(self, order_lifecycle: Lifecycle) -> None:
        graph = build_graph(order_lifecycle.definition)
        kinds = {node.state_id: node.kind for node in graph.nodes}
        assert kinds["new"] is Kind.INITIAL
        assert kinds["confirmed"] is Kind.END
        assert kinds["canceled"] is Kind.FINAL
        assert kinds["error"] is Kind.ERROR
        assert kinds["at_wms"] is Kind.NORMAL

    def test_node_ids_are_generated_in_definition_order(self, order_lifecycle: Lifecycle) -> None:
        graph = build_graph(order_lifecycle.definition)
        assert [n.id for n in graph.nodes] == [f"s{i}" for i in range(7)]

    def test_api_value_shown_only_where_it_differs(self, order_lifecycle: Lifecycle) -> None:
        nodes = {n.state_id: n for n in build_graph(order_lifecycle.definition).nodes}
        assert nodes["cancel_sending"].details == ("API value: new",)
        assert nodes["new"].details == ()

    def test_creation_starts_at_the_start_point_with_guard_and_else(
        self, order_lifecycle: Lifecycle
    ) -> None:
        graph = build_graph(order_lifecycle.definition)
        assert graph.has_start
        to_new = edge(graph, START, "new").labels[0]
        assert (to_new.event, to_new.guard) == (
            "download",
            "[ship_method_mapped, address_complete]",
        )
        assert edge(graph, START, "error").labels[0].guard == "[else]"

    def test_hooks_are_tagged_by_channel(self, order_lifecycle: Lifecycle) -> None:
        graph = build_graph(order_lifecycle.definition)
        nodes = {n.state_id: n for n in graph.nodes}
        assert nodes["new"].hooks == ("⇢ wms: create_order",)
        cancel = edge(graph, "at_wms", "at_wms").labels[0]
        assert cancel.hooks == ("⇢ wms: cancel_order",)
        accepted = edge(graph, "at_wms", "canceled", internal=True).labels[0]
        assert accepted.hooks == ("⇢ cart: cancel_order if settings.send_cancellations_to_cart",)

    def test_parallel_transitions_share_one_arrow(self, order_lifecycle: Lifecycle) -> None:
        graph = build_graph(order_lifecycle.definition)
        labels = edge(graph, "new", "error", internal=True).labels
        assert [label.event for label in labels] == ["wms_rejected, wms_send_expired"]
        back = edge(graph, "error", "new").labels
        assert [label.event for label in back] == ["resend_to_wms, retry"]

    def test_hook_outcomes_are_internal_arrows(self, order_lifecycle: Lifecycle) -> None:
        graph = build_graph(order_lifecycle.definition)
        assert edge(graph, "new", "at_wms", internal=True).labels[0].event == "wms_accepted"
        assert not edge(graph, "at_wms", "shipped").internal

    def test_main_path_runs_forward(self, order_lifecycle: Lifecycle) -> None:
        graph = build_graph(order_lifecycle.definition)
        main = [n.state_id for n in graph.nodes if n.main]
        assert main == ["new", "at_wms", "shipped", "confirmed"]
        assert edge(graph, "confirmed", "shipped").backward
        assert not edge(graph, "shipped", "confirmed", internal=True).backward

    def test_guards_and_hooks_can_be_left_out(self, order_lifecycle: Lifecycle) -> None:
        graph = build_graph(order_lifecycle.definition, guards=False, hooks=False)
        assert all(not n.hooks for n in graph.nodes)
        assert all(not (lb.guard or lb.hooks) for e in graph.edges for lb in e.labels)
        dot = render(order_lifecycle, "dot", guards=False, hooks=False)
        assert isinstance(dot, str)
        assert "ship_method_mapped" not in dot and "⇢" not in dot

    def test_order_view_marks_current_state_and_path(self, order_lifecycle: Lifecycle) -> None:
        view = OrderView(
            "A-1",
            "at_wms",
            (Step("download", None, "new"), Step("wms_accepted", "new", "at_wms")),
        )
        graph = build_graph(order_lifecycle.definition, order_view=view)
        nodes = {n.state_id: n for n in graph.nodes}
        assert nodes["at_wms"].current and not nodes["new"].current
        assert nodes["new"].visited and not nodes["shipped"].visited
        assert edge(graph, "new", "at_wms", internal=True).taken
        assert not edge(graph, "at_wms", "shipped").taken

    def test_steps_are_numbered_in_order_on_a_revisit(self, order_lifecycle: Lifecycle) -> None:
        view = OrderView(
            "A-1",
            "at_wms",
            (
                Step("download", None, "new"),
                Step("wms_accepted", "new", "at_wms"),
                Step("resend_to_wms", "at_wms", "new"),
                Step("wms_accepted", "new", "at_wms"),
            ),
        )
        graph = build_graph(order_lifecycle.definition, order_view=view)

        assert edge(graph, START, "new").steps == (1,)
        assert edge(graph, "new", "at_wms", internal=True).step_text == "steps 2, 4"
        assert edge(graph, "at_wms", "new").step_text == "step 3"
        assert edge(graph, "at_wms", "shipped").steps == ()
        assert edge(graph, "at_wms", "shipped").step_text == ""

    def test_step_numbers_show_in_every_format(self, order_lifecycle: Lifecycle) -> None:
        view = OrderView(
            "A-1",
            "new",
            (Step("download", None, "new"), Step("cancel_sending", "new", "cancel_sending")),
        )
        for fmt in ("dot", "mermaid", "plantuml"):
            drawn = render(order_lifecycle, fmt, order_view=view)
            assert isinstance(drawn, str)
            assert "step 1" in drawn and "step 2" in drawn, fmt
            assert "step 3" not in drawn

    def test_no_order_view_means_no_step_numbers(self, order_lifecycle: Lifecycle) -> None:
        graph = build_graph(order_lifecycle.definition)
        assert all(e.steps == () for e in graph.edges)
        assert "step 1" not in str(render(order_lifecycle, "dot"))

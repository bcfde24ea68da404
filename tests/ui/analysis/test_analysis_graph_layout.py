"""The graph's layered layout: bands in order, no overlaps, wrapped into columns at 500 nodes."""

from __future__ import annotations

import itertools

from iamdesk.ui.views.analysis.graph.layout import NODE_H, NODE_W, layout
from tests.analysis.test_graph import _synthetic


def test_layout_of_500_nodes_has_no_overlaps_and_bands_in_order():
    graph = _synthetic(500)
    placed = layout(graph)
    assert set(placed.positions) == set(graph.nodes)
    cells = {(round(x), round(y)) for x, y in placed.positions.values()}
    assert len(cells) == len(graph.nodes)
    for (x1, y1), (x2, y2) in zip(sorted(cells), sorted(cells)[1:], strict=False):
        assert x1 != x2 or y2 - y1 >= NODE_H
    xs = {kind: [] for kind in ("service", "user", "group", "role", "policy")}
    for key, (x, _y) in placed.positions.items():
        xs[graph.nodes[key].kind].append(x)
    order = ["service", "user", "group", "role", "policy"]
    for left, right in itertools.pairwise(order):
        assert max(xs[left]) + NODE_W < min(xs[right])
    # Wrapped into columns: not a strip thousands of pixels high.
    assert placed.height < 2 * placed.width

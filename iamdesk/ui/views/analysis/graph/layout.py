"""A layered layout for the access graph: one band per kind from left to right (outside
principals, users, groups, roles, policies), nodes ordered within a band by the average position
of their neighbours so edges run mostly straight, and a band wider than it is tall wrapped into
several columns, as many as keep the picture's shape close to the view's (500 users make a
dozen columns of 40, not one column 17,000 pixels high).

Pure arithmetic (no Qt) so it runs on the worker thread with the graph's build.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from iamdesk.analysis.graph import AccessGraph

NODE_W = 180.0
NODE_H = 26.0
ROW_GAP = 8.0
COLUMN_GAP = 36.0
BAND_GAP = 150.0
SWEEPS = 4

BANDS: dict[str, int] = {
    "external": 0,
    "service": 0,
    "account": 0,
    "user": 1,
    "group": 2,
    "role": 3,
    "policy": 4,
    "inline": 4,
}


@dataclass(frozen=True)
class Layout:
    positions: dict[str, tuple[float, float]]  # top-left corner of each node
    width: float
    height: float
    bands: list[tuple[str, float, float]]  # (title, left, right) of each non-empty band


BAND_TITLES = ("Outside principals", "Users", "Groups", "Roles", "Policies")


def rows_for(sizes: list[int], aspect: float) -> int:
    """Rows per column so the picture's width / height is closest to ``aspect`` (the view's):
    a fitted picture then fills the screen instead of a thin strip across it."""
    sizes = [n for n in sizes if n]
    if not sizes:
        return 1
    best, best_error = max(sizes), float("inf")
    for rows in range(6, max(sizes) + 1):
        columns = sum(math.ceil(n / rows) for n in sizes)
        width = columns * (NODE_W + COLUMN_GAP) + (len(sizes) - 1) * BAND_GAP
        height = min(rows, max(sizes)) * (NODE_H + ROW_GAP) + 60
        error = abs(math.log(width / height / aspect))
        if error < best_error:
            best, best_error = rows, error
    return best


def layout(graph: AccessGraph, aspect: float = 1.7) -> Layout:
    bands: list[list[str]] = [[] for _ in BAND_TITLES]
    for node in sorted(graph.nodes.values(), key=lambda n: (n.kind, n.label.lower(), n.id)):
        bands[BANDS.get(node.kind, 0)].append(node.id)
    links: dict[str, list[str]] = {key: [] for key in graph.nodes}
    for edge in graph.edges:
        if edge.kind != "escalation":  # drawn across bands; ordering by them would scramble
            links[edge.source].append(edge.target)
            links[edge.target].append(edge.source)

    rows = rows_for([len(b) for b in bands], aspect)

    order: dict[str, float] = {}
    for band in bands:
        for position, key in enumerate(band):
            order[key] = position / max(len(band) - 1, 1)
    for _ in range(SWEEPS):
        for band in bands:
            scores = {}
            for key in band:
                near = [order[n] for n in links[key] if n in order]
                scores[key] = sum(near) / len(near) if near else order[key]
            band.sort(key=lambda k: scores[k])
            for position, key in enumerate(band):
                order[key] = position / max(len(band) - 1, 1)

    positions: dict[str, tuple[float, float]] = {}
    titles: list[tuple[str, float, float]] = []
    heights = [min(len(b), rows) * (NODE_H + ROW_GAP) for b in bands]
    height = max(heights, default=0.0)
    x = 0.0
    for number, band in enumerate(bands):
        if not band:
            continue
        columns = math.ceil(len(band) / rows)
        per_column = math.ceil(len(band) / columns)
        top = (height - per_column * (NODE_H + ROW_GAP)) / 2
        # Row-major: the band's order runs top to bottom across its columns, so a node's height
        # still says where its neighbours are.
        for position, key in enumerate(band):
            row, column = divmod(position, columns)
            positions[key] = (x + column * (NODE_W + COLUMN_GAP), top + row * (NODE_H + ROW_GAP))
        right = x + columns * (NODE_W + COLUMN_GAP) - COLUMN_GAP
        titles.append((BAND_TITLES[number], x, right))
        x = right + BAND_GAP
    return Layout(positions, max(x - BAND_GAP, 0.0), height, titles)

"""A self-contained SVG drawing of an organisation network (no scripts, no external references).

Nodes are placed by networkx's spring layout with a fixed seed (a circle for three or fewer),
sized by cases and coloured by community; articulation points get a dark ring and isolated
members a dashed outline. Edge width follows shared customers. Each label takes the first of
four places around its node that collides with no earlier label or node (else the least
colliding one), so labels do not pile up.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from xml.sax.saxutils import escape

import networkx as nx

from sujuva.network.measures import NetworkMeasures
from sujuva.network.observed import ObservedNetwork

SEED: Final = 2017
FONT: Final = 12
_LEGEND_ROW: Final = 24
PALETTE: Final = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
)
_DASHED: Final = 'stroke="#555555" stroke-dasharray="4 3"'
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class _Node:
    """A node as drawn: name, centre, radius, fill colour, ring and dash flags."""

    name: str
    x: float
    y: float
    r: float
    fill: str
    cut_point: bool
    isolated: bool


def text(value: object) -> str:
    """Escape for XML text and attribute values, dropping characters XML cannot hold."""
    return escape(_NOT_XML.sub("", str(value)), {'"': "&quot;"})


def network_svg(
    network: ObservedNetwork, measures: NetworkMeasures, *, width: int = 900, height: int = 600
) -> str:
    """An SVG document drawing ``network`` with ``measures`` (a pure string, UTF-8 text)."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="{FONT}" '
        'role="img"><title>Organisation network</title>'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>'
    )
    graph = measures.graph
    if graph.number_of_nodes() == 0:
        empty = f'<text x="{width / 2:.1f}" y="{height / 2:.1f}" text-anchor="middle">'
        return head + empty + "No organisations in the selection</text></svg>"
    entries = _legend_entries(network, measures)
    area = height - _legend_height(entries, width=width)
    if area < height / 2:  # too small a drawing for a legend: the network comes first
        entries, area = [], height
    nodes = _nodes(network, measures, width=width, height=area)
    parts = [head, _edges(graph, nodes), *(_circle(node) for node in nodes.values())]
    parts.append(_labels(list(nodes.values()), width=width, height=area))
    if entries:
        parts.append(_legend(entries, width=width, top=area))
    parts.append("</svg>")
    return "".join(parts)


def _layout(graph: Any) -> dict[str, tuple[float, float]]:
    """Raw layout coordinates: a circle for ≤ 3 nodes, else a seeded spring layout."""
    if graph.number_of_nodes() == 1:
        return {str(name): (0.0, 0.0) for name in graph}
    if graph.number_of_nodes() <= 3:
        layout = nx.circular_layout(graph)
    else:
        layout = nx.spring_layout(graph, seed=SEED, weight=None, iterations=200)
    return {str(name): (float(xy[0]), float(xy[1])) for name, xy in layout.items()}


def _positions(graph: Any, *, width: int, height: int) -> dict[str, tuple[float, float]]:
    """Drawing coordinates: the connected organisations fill the area (leaving room at the
    sides for labels); organisations without ties stand in a row along its bottom, so they
    neither stretch the layout nor hide in a corner."""
    lone = sorted(str(name) for name in graph if graph.degree(name) == 0)
    tied = graph.subgraph([name for name in graph if graph.degree(name) > 0])
    if not tied.number_of_nodes():
        tied, lone = graph, []
    bottom = height - (48.0 if lone else 0.0)
    pad_x, pad_y = min(170.0, width / 4), min(40.0, height / 5)
    layout = _layout(tied)
    xs = [x for x, _ in layout.values()]
    ys = [y for _, y in layout.values()]
    placed = {
        name: (
            pad_x + (width - 2 * pad_x) * _unit(x, min(xs), max(xs)),
            pad_y + (bottom - 2 * pad_y) * _unit(y, min(ys), max(ys)),
        )
        for name, (x, y) in layout.items()
    }
    step = (width - 2 * pad_x) / max(len(lone), 1)
    for index, name in enumerate(lone):
        placed[name] = (pad_x + step * (index + 0.5), height - 24.0)
    return placed


def _nodes(
    network: ObservedNetwork, measures: NetworkMeasures, *, width: int, height: int
) -> dict[str, _Node]:
    """Nodes in drawing coordinates: size by cases, colour by community, cut-point flags."""
    cases = dict(zip(network.nodes["organisation"], network.nodes["cases"], strict=True))
    most = max([float(c) for c in cases.values()] + [1.0])
    names = [str(name) for name in measures.nodes["organisation"]]
    community = dict(zip(names, measures.nodes["community"].astype(int), strict=True))
    cut_point = dict(zip(names, measures.nodes["articulation_point"].astype(bool), strict=True))
    positions = _positions(measures.graph, width=width, height=height)
    largest = max(4.0, min(28.0, min(width, height) / 14))
    smallest = min(6.0, largest / 2)
    return {
        name: _Node(
            name=name,
            x=x,
            y=y,
            r=smallest + (largest - smallest) * math.sqrt(float(cases.get(name, 0)) / most),
            fill=PALETTE[int(community[name]) % len(PALETTE)],
            cut_point=bool(cut_point[name]),
            isolated=name in measures.isolated,
        )
        for name, (x, y) in positions.items()
    }


def _unit(value: float, low: float, high: float) -> float:
    """``value`` scaled to [0, 1]; the middle when all values are equal."""
    return 0.5 if high - low < 1e-12 else (value - low) / (high - low)


def _edges(graph: Any, nodes: Mapping[str, _Node]) -> str:
    """Edge lines, width by shared customers (square-root scale, 1–10 px), with tooltips."""
    shared = {(u, v): float(d.get("shared_customers", 0)) for u, v, d in graph.edges(data=True)}
    most = max([*shared.values(), 1.0])
    lines = ['<g stroke="#8a8a8a" stroke-opacity="0.6" stroke-linecap="round">']
    for (u, v), value in sorted(shared.items(), key=lambda item: item[1]):
        a, b = nodes[str(u)], nodes[str(v)]
        stroke = 1.0 + 9.0 * math.sqrt(value / most)
        lines.append(
            f'<line x1="{a.x:.1f}" y1="{a.y:.1f}" x2="{b.x:.1f}" y2="{b.y:.1f}" '
            f'stroke-width="{stroke:.1f}"><title>{text(a.name)} – {text(b.name)}: '
            f"{value:.0f} shared customers</title></line>"
        )
    lines.append("</g>")
    return "".join(lines)


def _circle(node: _Node) -> str:
    """One node: a filled circle, ringed if a cut point, dashed if an isolated member."""
    ring = ' stroke="#222222" stroke-width="3"' if node.cut_point else ' stroke="#ffffff"'
    dash = f' {_DASHED} fill-opacity="0.35"' if node.isolated else ""
    return (
        f'<circle cx="{node.x:.1f}" cy="{node.y:.1f}" r="{node.r:.1f}" fill="{node.fill}"'
        f"{dash or ring}><title>{text(node.name)}</title></circle>"
    )


def _label_width(label: str) -> float:
    return 0.6 * FONT * len(label) + 4.0


def _candidates(node: _Node, label: str) -> list[tuple[float, float, str, Box]]:
    """Places for a label around its node: right, left, below, above (x, y, anchor, box)."""
    w, h, gap = _label_width(label), FONT + 2.0, 4.0
    right, left = node.x + node.r + gap, node.x - node.r - gap
    below, above = node.y + node.r + gap + FONT, node.y - node.r - gap
    return [
        (right, node.y + FONT / 3, "start", (right, node.y - h / 2, right + w, node.y + h / 2)),
        (left, node.y + FONT / 3, "end", (left - w, node.y - h / 2, left, node.y + h / 2)),
        (node.x, below, "middle", (node.x - w / 2, below - FONT, node.x + w / 2, below + 2)),
        (node.x, above, "middle", (node.x - w / 2, above - FONT, node.x + w / 2, above + 2)),
    ]


def _overlap(a: Box, b: Box) -> float:
    """The area two boxes share."""
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def _cost(box: Box, taken: list[Box], frame: Box) -> float:
    """How badly a label box collides: area outside the drawing (heavily) plus overlaps."""
    outside = (box[2] - box[0]) * (box[3] - box[1]) - _overlap(box, frame)
    return outside * 10 + sum(_overlap(box, other) for other in taken)


def _labels(nodes: list[_Node], *, width: int, height: int) -> str:
    """Labels, biggest nodes first, each at its least colliding place inside the drawing."""
    taken: list[Box] = [(n.x - n.r, n.y - n.r, n.x + n.r, n.y + n.r) for n in nodes]
    frame: Box = (0.0, 0.0, float(width), float(height))
    parts = ['<g fill="#1a1a1a" stroke="#ffffff" stroke-width="3" paint-order="stroke">']
    for node in sorted(nodes, key=lambda n: (-n.r, n.name)):
        label = _NOT_XML.sub("", node.name)
        places = _candidates(node, label)
        x, y, anchor, box = min(places, key=lambda place: _cost(place[3], taken, frame))
        taken.append(box)
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{text(label)}</text>')
    parts.append("</g>")
    return "".join(parts)


def _dot(x: float, y: float, *, r: float, style: str) -> str:
    return f'<circle cx="{x + r:.0f}" cy="{y:.0f}" r="{r:.0f}" {style}/>'


Entry = tuple[Callable[[float, float], str], float, str]


def _legend_entries(network: ObservedNetwork, measures: NetworkMeasures) -> list[Entry]:
    """Legend entries (symbol drawer, symbol width, label): edge width and node size scales,
    ring and dash meanings, community colours."""
    most_shared = int(network.edges["shared_customers"].max()) if len(network.edges) else 0
    most_cases = int(network.nodes["cases"].max()) if len(network.nodes) else 0
    grey = 'fill="#bbbbbb"'
    colours = PALETTE[: max(1, min(len(measures.communities), len(PALETTE)))]
    return [
        (
            lambda x, y: (
                f'<line x1="{x:.0f}" y1="{y:.0f}" x2="{x + 30:.0f}" y2="{y:.0f}" '
                'stroke="#8a8a8a" stroke-width="10"/>'
            ),
            30,
            f"edge width: shared customers (widest {most_shared})",
        ),
        (lambda x, y: _dot(x, y, r=10, style=grey), 20, f"node size: cases (largest {most_cases})"),
        (
            lambda x, y: _dot(x, y, r=7, style=f'{grey} stroke="#222222" stroke-width="3"'),
            14,
            "articulation point",
        ),
        (
            lambda x, y: _dot(x, y, r=7, style=f'{grey} fill-opacity="0.35" {_DASHED}'),
            14,
            "isolated member",
        ),
        (
            lambda x, y: "".join(
                _dot(x + 18 * i, y, r=7, style=f'fill="{c}"') for i, c in enumerate(colours)
            ),
            18 * len(colours) - 4,
            "community",
        ),
    ]


def _flow(entries: list[Entry], *, width: int) -> list[tuple[float, int]]:
    """Where each legend entry goes: (x, row), left to right, wrapping at the drawing's edge."""
    places = []
    x, row = 12.0, 0
    for _, size, label in entries:
        span = size + 6 + 0.6 * 11 * len(label) + 24
        if x > 12.0 and x + span > width - 10:
            x, row = 12.0, row + 1
        places.append((x, row))
        x += span
    return places


def _legend_height(entries: list[Entry], *, width: int) -> int:
    return 16 + _LEGEND_ROW * (1 + max(row for _, row in _flow(entries, width=width)))


def _legend(entries: list[Entry], *, width: int, top: int) -> str:
    """The legend below the drawing: a rule, then the entries in rows."""
    parts = [
        f'<g font-size="11" fill="#333333"><line x1="10" y1="{top + 4}" x2="{width - 10}" '
        f'y2="{top + 4}" stroke="#dddddd"/>'
    ]
    for (symbol, size, label), (x, row) in zip(entries, _flow(entries, width=width), strict=True):
        y = top + 22.0 + _LEGEND_ROW * row
        parts.append(symbol(x, y))
        parts.append(f'<text x="{x + size + 6:.0f}" y="{y + 4:.0f}">{text(label)}</text>')
    parts.append("</g>")
    return "".join(parts)

"""Draw a process map as a layered SVG, with no Graphviz or other system binary.

Simplification follows Disco's two sliders: keep the most frequent activities until they cover
``activity_coverage`` of all events, then the most frequent arcs among them until they cover
``arc_coverage`` of those transitions (every kept activity keeps its strongest arc in and out).
Layout is a small Sugiyama-style pass: break cycles by depth-first search, layer by longest
path, order each layer by barycentres, draw arcs as curves labelled with frequency or median
waiting and coloured from short (blue-grey) to long waiting (red).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Literal

import pandas as pd

from sujuva.analytics.flow import ProcessMap

START, END = "\u25b6 start", "\u25a0 end"
NODE_W, NODE_H, GAP_X, GAP_Y, MARGIN = 190, 46, 40, 70, 30
Label = Literal["frequency", "waiting"]


@dataclass(frozen=True)
class Simplified:
    """The activities and arcs kept by the sliders (arcs include start and end arcs)."""

    activities: pd.DataFrame
    arcs: pd.DataFrame


def simplify(
    pm: ProcessMap, *, activity_coverage: float = 1.0, arc_coverage: float = 1.0
) -> Simplified:
    """Keep the activities and arcs that cover the given shares of events and transitions."""
    acts = pm.activities.sort_values("frequency", ascending=False)
    cumulative = acts["frequency"].cumsum() / max(int(acts["frequency"].sum()), 1)
    kept_acts = acts[
        (cumulative.shift(fill_value=0) < activity_coverage) | (cumulative <= activity_coverage)
    ]
    names = set(kept_acts["activity"])
    arcs = pm.arcs[pm.arcs["source"].isin(names) & pm.arcs["target"].isin(names)]
    arcs = arcs.sort_values("frequency", ascending=False)
    share = arcs["frequency"].cumsum() / max(int(arcs["frequency"].sum()), 1)
    chosen = arcs[(share.shift(fill_value=0) < arc_coverage)]
    strongest_out = arcs.drop_duplicates("source")
    strongest_in = arcs.drop_duplicates("target")
    chosen = pd.concat([chosen, strongest_out, strongest_in]).drop_duplicates(["source", "target"])
    edges = pd.concat([chosen, _terminal_arcs(kept_acts)], ignore_index=True)
    return Simplified(
        activities=kept_acts.reset_index(drop=True), arcs=edges.reset_index(drop=True)
    )


def _terminal_arcs(acts: pd.DataFrame) -> pd.DataFrame:
    starts = acts[acts["starts"] > 0]
    ends = acts[acts["ends"] > 0]
    return pd.DataFrame(
        {
            "source": [START] * len(starts) + list(ends["activity"]),
            "target": list(starts["activity"]) + [END] * len(ends),
            "frequency": list(starts["starts"]) + list(ends["ends"]),
            "wait_median_s": [math.nan] * (len(starts) + len(ends)),
        }
    )


def render_svg(
    pm: ProcessMap,
    *,
    activity_coverage: float = 1.0,
    arc_coverage: float = 1.0,
    label: Label = "frequency",
    title: str = "",
) -> str:
    """The process map as a self-contained SVG document (text, no scripts, no external refs)."""
    kept = simplify(pm, activity_coverage=activity_coverage, arc_coverage=arc_coverage)
    nodes = [START, *kept.activities["activity"], END]
    edges = list(zip(kept.arcs["source"].astype(str), kept.arcs["target"].astype(str), strict=True))
    position = _layout(nodes, edges, weights=dict(zip(edges, kept.arcs["frequency"], strict=True)))
    lanes = _lanes(kept.arcs, position)
    left, right = _lane_room(lanes, kept.arcs, position)
    position = {name: (x + left, y) for name, (x, y) in position.items()}
    width = max(x for x, _ in position.values()) + NODE_W + 2 * MARGIN + right
    height = max(y for _, y in position.values()) + NODE_H + 2 * MARGIN + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" role="img">',
        f"<title>{escape(title or 'Process map')}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" '
        'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#555"/>'
        "</marker></defs>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    parts += _edges(kept.arcs, position, label, lanes)
    frequencies = dict(zip(kept.activities["activity"], kept.activities["frequency"], strict=True))
    parts += [_node(name, position[name], frequencies.get(name)) for name in nodes]
    parts.append("</svg>")
    return "\n".join(parts)


def _layout(
    nodes: list[str], edges: list[tuple[str, str]], *, weights: dict[tuple[str, str], int]
) -> dict[str, tuple[float, float]]:
    forward = _acyclic(nodes, edges, weights)
    layer = {name: 0 for name in nodes}
    for _ in range(len(nodes)):
        changed = False
        for source, target in forward:
            if layer[target] < layer[source] + 1:
                layer[target], changed = layer[source] + 1, True
        if not changed:
            break
    layer[END] = max(layer[END], max(v for k, v in layer.items() if k != END) + 1)
    rows: dict[int, list[str]] = {}
    for name in nodes:
        rows.setdefault(layer[name], []).append(name)
    _order(rows, forward)
    widest = max(len(row) for row in rows.values())
    position: dict[str, tuple[float, float]] = {}
    for depth, row in rows.items():
        offset = (widest - len(row)) * (NODE_W + GAP_X) / 2
        for index, name in enumerate(row):
            position[name] = (
                MARGIN + offset + index * (NODE_W + GAP_X),
                MARGIN + depth * (NODE_H + GAP_Y),
            )
    return position


def _acyclic(
    nodes: list[str], edges: list[tuple[str, str]], weights: dict[tuple[str, str], int]
) -> list[tuple[str, str]]:
    """Edges with back edges (found by depth-first search from the start, strongest arcs
    first) left out, so that layering terminates."""
    out: dict[str, list[str]] = {name: [] for name in nodes}
    for source, target in sorted(edges, key=lambda e: -weights.get(e, 0)):
        out[source].append(target)
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    stack: list[tuple[str, int]] = [(START, 0)]
    state[START] = 1
    while stack:
        name, index = stack.pop()
        if index < len(out[name]):
            stack.append((name, index + 1))
            target = out[name][index]
            if state.get(target) == 1:
                back.add((name, target))
            elif target not in state:
                state[target] = 1
                stack.append((target, 0))
        else:
            state[name] = 2
    return [e for e in edges if e not in back and e[0] != e[1]]


def _order(rows: dict[int, list[str]], edges: list[tuple[str, str]]) -> None:
    """Reorder each layer by the mean position of its neighbours (a few sweeps)."""
    for _ in range(4):
        for depth in sorted(rows)[1:]:
            above = {name: i for i, name in enumerate(rows.get(depth - 1, []))}
            rows[depth].sort(key=lambda n: _barycentre(n, edges, above, incoming=True))
        for depth in sorted(rows, reverse=True)[1:]:
            below = {name: i for i, name in enumerate(rows.get(depth + 1, []))}
            rows[depth].sort(key=lambda n: _barycentre(n, edges, below, incoming=False))


def _barycentre(
    name: str, edges: list[tuple[str, str]], index: dict[str, int], *, incoming: bool
) -> float:
    linked = (
        [index[s] for s, t in edges if t == name and s in index]
        if incoming
        else [index[t] for s, t in edges if s == name and t in index]
    )
    return sum(linked) / len(linked) if linked else math.inf


def _edges(
    arcs: pd.DataFrame,
    position: dict[str, tuple[float, float]],
    label: Label,
    lanes: dict[tuple[str, str], int],
) -> list[str]:
    waits = arcs["wait_median_s"].dropna()
    top = float(waits.max()) if len(waits) else 0.0
    widest = max(int(arcs["frequency"].max()), 1) if len(arcs) else 1
    parts = []
    for source, target, count, wait in zip(
        arcs["source"].astype(str),
        arcs["target"].astype(str),
        arcs["frequency"].astype(int),
        arcs["wait_median_s"].astype(float),
        strict=True,
    ):
        (x1, y1), (x2, y2) = position[source], position[target]
        stroke = 1 + 5 * math.log1p(count) / math.log1p(widest)
        lane = lanes.get((source, target), 0)
        path, lx, ly = _curve(x1, y1, x2, y2, lane=lane)
        timed = not math.isnan(wait)
        text = _days(wait) if label == "waiting" and timed else f"{count:,}"
        tip = f"{source} \u2192 {target}: {count:,} times"
        tip += f", median wait {_days(wait)}" if timed else ""
        parts.append(
            f'<g class="arc"><title>{escape(tip)}</title><path d="{path}" fill="none" '
            f'stroke="{_colour(wait, top)}" stroke-width="{stroke:.1f}" marker-end="url(#arrow)"/>'
            f'<text x="{lx:.0f}" y="{ly:.0f}" fill="#333" text-anchor="middle" '
            f'paint-order="stroke" stroke="white" stroke-width="3">{escape(text)}</text></g>'
        )
    return parts


def _lanes(
    arcs: pd.DataFrame, position: dict[str, tuple[float, float]]
) -> dict[tuple[str, str], int]:
    """Side lanes for arcs that do not go to the next layer: shorter spans nearer the nodes."""
    row = NODE_H + GAP_Y
    spans = {
        (s, t): round((position[t][1] - position[s][1]) / row)
        for s, t in zip(arcs["source"].astype(str), arcs["target"].astype(str), strict=True)
    }
    lanes: dict[tuple[str, str], int] = {}
    for left in (True, False):
        chosen = [arc for arc, span in spans.items() if (span > 1) == left and span != 1]
        for lane, arc in enumerate(sorted(chosen, key=lambda a: abs(spans[a]))):
            lanes[arc] = lane
    return lanes


def _lane_room(
    lanes: dict[tuple[str, str], int], arcs: pd.DataFrame, position: dict[str, tuple[float, float]]
) -> tuple[float, float]:
    """Room needed left and right of the nodes for the side lanes."""
    row = NODE_H + GAP_Y
    left = right = 0
    for (source, target), lane in lanes.items():
        if round((position[target][1] - position[source][1]) / row) > 1:
            left = max(left, lane + 1)
        else:
            right = max(right, lane + 1)
    return (40 + 22 * left if left else 0), (40 + 22 * right if right else 0)


def _curve(x1: float, y1: float, x2: float, y2: float, *, lane: int) -> tuple[str, float, float]:
    """An arc's path and label position. Arcs to the next layer are S-curves; arcs that skip
    layers leave by the left side in their own lane; arcs back up (loops) by the right side."""
    row = NODE_H + GAP_Y
    span = round((y2 - y1) / row)
    if (x1, y1) == (x2, y2):  # a step repeated right away: a small loop on the right
        ex, top, bottom = x1 + NODE_W, y1 + NODE_H / 2 - 9, y1 + NODE_H / 2 + 9
        reach = ex + 46
        path = (
            f"M{ex:.0f},{top:.0f} C{reach:.0f},{y1 - 14:.0f} "
            f"{reach:.0f},{y1 + NODE_H + 14:.0f} {ex:.0f},{bottom:.0f}"
        )
        return path, reach + 16, y1 + NODE_H / 2 + 4
    if span == 1 or (span > 1 and abs(x2 - x1) > NODE_W):
        sx, sy, tx, ty = x1 + NODE_W / 2, y1 + NODE_H, x2 + NODE_W / 2, y2
        mid = (sy + ty) / 2
        path = f"M{sx:.0f},{sy:.0f} C{sx:.0f},{mid:.0f} {tx:.0f},{mid:.0f} {tx:.0f},{ty:.0f}"
        return path, (sx + tx) / 2, mid
    left = span > 0
    side = 0.0 if left else float(NODE_W)
    sx, sy, tx, ty = x1 + side, y1 + NODE_H / 2, x2 + side, y2 + NODE_H / 2
    offset = 28 + 22 * lane
    bulge = min(sx, tx) - offset if left else max(sx, tx) + offset
    path = f"M{sx:.0f},{sy:.0f} C{bulge:.0f},{sy:.0f} {bulge:.0f},{ty:.0f} {tx:.0f},{ty:.0f}"
    return path, (sx + 6 * bulge + tx) / 8, (sy + ty) / 2  # the curve's midpoint


def _node(name: str, at: tuple[float, float], frequency: int | None) -> str:
    x, y = at
    if name in (START, END):
        return (
            f'<g class="terminal"><rect x="{x + NODE_W / 2 - 45:.0f}" y="{y + 8:.0f}" '
            f'width="90" height="30" rx="15" fill="#eef" stroke="#557"/>'
            f'<text x="{x + NODE_W / 2:.0f}" y="{y + 28:.0f}" '
            f'text-anchor="middle">{escape(name)}</text></g>'
        )
    lines = _wrap(name, 26)[:2]
    text = "".join(
        f'<tspan x="{x + NODE_W / 2:.0f}" dy="{0 if i == 0 else 14}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    count = (
        f'<tspan x="{x + NODE_W / 2:.0f}" dy="14" fill="#666">{frequency:,}</tspan>'
        if frequency
        else ""
    )
    top = y + (16 if len(lines) > 1 else 20)
    return (
        f'<g class="activity"><title>{escape(name)}</title>'
        f'<rect x="{x:.0f}" y="{y:.0f}" width="{NODE_W}" '
        f'height="{NODE_H}" rx="6" fill="#f4f7fb" stroke="#345"/>'
        f'<text x="{x + NODE_W / 2:.0f}" y="{top:.0f}" text-anchor="middle">'
        f"{text}{count}</text></g>"
    )


def _wrap(text: str, width: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2:
        lines[1] = (lines[1] + " " + " ".join(lines[2:]))[: width - 1] + "\u2026"
    return lines


def _colour(wait_s: float, top: float) -> str:
    """Blue-grey for short waits to red for the longest (square-root scale)."""
    if math.isnan(wait_s) or top <= 0:
        return "#8895a7"
    t = math.sqrt(max(wait_s, 0.0) / top)
    red, green, blue = (
        int(136 + (214 - 136) * t),
        int(149 + (39 - 149) * t),
        int(167 + (40 - 167) * t),
    )
    return f"#{red:02x}{green:02x}{blue:02x}"


def _days(seconds: float) -> str:
    days = seconds / 86_400
    return f"{days:.1f} d" if days < 10 else f"{days:.0f} d"

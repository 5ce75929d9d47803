"""The network drawing: well-formed, self-contained SVG with every name escaped and readable."""

from __future__ import annotations

import itertools
from xml.sax.saxutils import escape

import defusedxml.ElementTree as ET
import pytest

from sujuva.network.draw import FONT, _labels, _Node, network_svg
from sujuva.network.measures import network_measures
from sujuva.network.observed import ObservedNetwork
from tests.network.conftest import network_from

SVG = "{http://www.w3.org/2000/svg}"
TRICKY = ["R&D <Lab>", 'The "Quoted" Office', "O'Brien & Sons", "Åbo Akademi – <ÅA>"]


def labels(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """Each label's text and estimated box (as the drawing estimates it), from the SVG."""
    root = ET.fromstring(svg)
    boxes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("paint-order") != "stroke":
            continue
        for item in group.iter(f"{SVG}text"):
            x, y, width = float(item.get("x")), float(item.get("y")), 0.6 * FONT * len(item.text)
            left = {"start": x, "end": x - width, "middle": x - width / 2}[item.get("text-anchor")]
            boxes[item.text] = (left, y - FONT, left + width, y + 2)
    return boxes


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return dx * dy if dx > 0 and dy > 0 else 0.0


def test_demo_drawing_is_self_contained_and_labels_every_organisation(
    demo_network: ObservedNetwork,
) -> None:
    measures = network_measures(demo_network, members=["Lonely member"])
    svg = network_svg(demo_network, measures, width=900, height=600)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("width") == "900" and root.get("height") == "600"
    assert "<script" not in svg and "href" not in svg and "url(" not in svg
    found = labels(svg)
    assert set(found) == {*demo_network.nodes["organisation"], "Lonely member"}
    for a, b in itertools.combinations(found.values(), 2):
        smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
        assert overlap(a, b) <= 0.25 * smaller
    circles = list(root.iter(f"{SVG}circle"))
    assert all(0 <= float(c.get("cx")) <= 900 and 0 <= float(c.get("cy")) <= 600 for c in circles)
    lines = [line for line in root.iter(f"{SVG}line") if line.find(f"{SVG}title") is not None]
    assert len(lines) == len(demo_network.edges)
    assert svg == network_svg(demo_network, measures, width=900, height=600)


def test_names_are_escaped() -> None:
    network = network_from(
        [(TRICKY[0], TRICKY[1], 3), (TRICKY[1], TRICKY[2], 2), (TRICKY[2], TRICKY[3], 1)]
    )
    measures = network_measures(network, members=("Control\x01char",))
    svg = network_svg(network, measures, width=500, height=400)
    for name in TRICKY:
        assert escape(name, {'"': "&quot;"}) in svg
    assert set(labels(svg)) == {*TRICKY, "Controlchar"}
    assert "\x01" not in svg


@pytest.mark.parametrize("count", [0, 1, 2, 3])
def test_small_networks_are_drawn(count: int) -> None:
    names = ["first", "second", "third"][:count]
    edges = [(a, b, 1) for a, b in itertools.pairwise(names)]
    network = network_from(edges, cases={name: 5 for name in names})
    svg = network_svg(network, network_measures(network), width=300, height=200)
    root = ET.fromstring(svg)
    assert set(labels(svg)) == set(names)
    if count == 0:
        assert "No organisations" in "".join(root.itertext())
    centres = {
        (c.get("cx"), c.get("cy"))
        for c in root.iter(f"{SVG}circle")
        if c.find(f"{SVG}title") is not None
    }
    assert len(centres) == count
    for circle in root.iter(f"{SVG}circle"):
        assert 0 <= float(circle.get("cx")) <= 300 and 0 <= float(circle.get("cy")) <= 200


def test_a_label_gives_way_to_a_neighbour() -> None:
    """Side by side, the left node's label would run into its neighbour: it moves."""
    nodes = [
        _Node(
            name="West organisation",
            x=100,
            y=100,
            r=10,
            fill="#000",
            cut_point=False,
            isolated=False,
        ),
        _Node(name="East", x=150, y=100, r=10, fill="#000", cut_point=False, isolated=False),
        _Node(name="North", x=150, y=70, r=10, fill="#000", cut_point=False, isolated=False),
    ]
    svg = f'<svg xmlns="http://www.w3.org/2000/svg">{_labels(nodes, width=400, height=300)}</svg>'
    boxes = labels(svg)
    assert set(boxes) == {"West organisation", "East", "North"}
    circles = [(n.x - n.r, n.y - n.r, n.x + n.r, n.y + n.r) for n in nodes]
    for box in boxes.values():
        assert all(overlap(box, circle) == 0 for circle in circles)
        assert box[0] >= 0 and box[2] <= 400
    for a, b in itertools.combinations(boxes.values(), 2):
        assert overlap(a, b) == 0

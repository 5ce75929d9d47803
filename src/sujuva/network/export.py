"""Write a network for other tools: GraphML (Gephi, yEd, networkx) and plain CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx

from sujuva.network.measures import NetworkMeasures
from sujuva.network.observed import ObservedNetwork

#: Node measures copied onto the GraphML nodes (besides the network's own node columns).
_NODE_MEASURES = (
    "cases_share",
    "degree",
    "strength",
    "betweenness",
    "betweenness_weighted",
    "articulation_point",
    "component",
    "community",
)


def to_graphml(network: ObservedNetwork, measures: NetworkMeasures, path: Path) -> Path:
    """Write the measured graph as GraphML to ``path``; return ``path``.

    Nodes (id = organisation name) carry cases, customers, handoffs_out, handoffs_in, member,
    the measures of :class:`NetworkMeasures` ``nodes`` and ``isolated``/``broker`` flags.
    Edges carry the edge columns of ``network`` (``organisation_a``/``organisation_b`` name
    the direction of handoffs_ab/handoffs_ba), ``weight``, ``distance`` and ``bridge``; a
    missing median wait (no hand-offs) is left out rather than written as NaN.
    """
    graph = nx.Graph()
    for name, data in measures.graph.nodes(data=True):
        graph.add_node(name, **_node_attributes(network, data))
    for record in measures.nodes.to_dict("records"):
        values = {key: _scalar(record[key]) for key in _NODE_MEASURES}
        graph.nodes[record["organisation"]].update(values)
    brokers = set(measures.brokers["organisation"])
    for name in graph:
        graph.nodes[name]["isolated"] = name in measures.isolated
        graph.nodes[name]["broker"] = name in brokers
    ends = measures.bridges
    bridges = set(zip(ends["organisation_a"], ends["organisation_b"], strict=True))
    for u, v, data in measures.graph.edges(data=True):
        a, b = sorted((str(u), str(v)))
        attrs = {key: _scalar(value) for key, value in data.items()}
        graph.add_edge(a, b, **attrs, organisation_a=a, organisation_b=b, bridge=(a, b) in bridges)
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(graph, path)
    return path


def _node_attributes(network: ObservedNetwork, data: dict[str, Any]) -> dict[str, Any]:
    """A node's own columns, zero where the organisation took no step (a silent member)."""
    columns = [c for c in network.nodes.columns if c != "organisation"]
    attrs = {column: _scalar(data.get(column, 0)) for column in columns}
    attrs["member"] = bool(data.get("member", False))
    return attrs


def _scalar(value: Any) -> Any:
    """A plain Python value GraphML can type (numpy and pandas scalars unwrapped)."""
    return value.item() if hasattr(value, "item") else value


def to_csv(network: ObservedNetwork, folder: Path) -> tuple[Path, Path]:
    """Write ``nodes.csv`` and ``edges.csv`` (the network's tables, UTF-8, with a header) into
    ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    nodes, edges = folder / "nodes.csv", folder / "edges.csv"
    network.nodes.to_csv(nodes, index=False, encoding="utf-8")
    network.edges.to_csv(edges, index=False, encoding="utf-8")
    return nodes, edges

"""GraphML and CSV exports read back to the same network."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pandas as pd

from sujuva.network.export import to_csv, to_graphml
from sujuva.network.measures import network_measures
from sujuva.network.observed import ObservedNetwork
from tests.network.conftest import network_from

TRIANGLES = [
    ("a", "b", 5),
    ("b", "c", 5),
    ("a", "c", 5),
    ("d", "e", 5),
    ("e", "f", 5),
    ("d", "f", 5),
]


def test_graphml_round_trip_of_the_demo_network(
    demo_network: ObservedNetwork, tmp_path: Path
) -> None:
    measures = network_measures(demo_network, members=["TE Office", "Nobody & Co <test>"])
    path = to_graphml(demo_network, measures, tmp_path / "out" / "network.graphml")
    graph = nx.read_graphml(path)
    assert set(graph.nodes) == set(measures.nodes["organisation"])
    for row in measures.nodes.to_dict("records"):
        node = graph.nodes[row["organisation"]]
        for key in ("cases", "degree", "component", "community", "member", "articulation_point"):
            assert node[key] == row[key], key
        assert math.isclose(node["betweenness"], row["betweenness"], rel_tol=1e-12)
        assert node["isolated"] == (row["organisation"] == "Nobody & Co <test>")
    assert graph.number_of_edges() == len(demo_network.edges)
    for row in demo_network.edges.to_dict("records"):
        edge = graph.edges[row["organisation_a"], row["organisation_b"]]
        assert edge["organisation_a"] == row["organisation_a"]
        for key in ("shared_customers", "shared_cases", "handoffs_ab", "handoffs_ba", "paths"):
            assert edge[key] == row[key], key
        assert edge["weight"] == row["shared_customers"]
        if pd.isna(row["handoff_wait_median_days"]):
            assert "handoff_wait_median_days" not in edge
        else:
            assert math.isclose(edge["handoff_wait_median_days"], row["handoff_wait_median_days"])


def test_graphml_marks_bridges_brokers_and_isolated_members(tmp_path: Path) -> None:
    network = network_from([*TRIANGLES, ("c", "d", 1)])
    measures = network_measures(network, members=("a", "zeta"))
    graph = nx.read_graphml(to_graphml(network, measures, tmp_path / "g.graphml"))
    assert {
        tuple(sorted(e)) for e, flag in nx.get_edge_attributes(graph, "bridge").items() if flag
    } == {("c", "d")}
    assert {n for n, flag in graph.nodes(data="broker") if flag} >= {"c", "d"}
    assert [n for n, flag in graph.nodes(data="isolated") if flag] == ["zeta"]
    assert graph.nodes["zeta"]["cases"] == 0 and graph.nodes["zeta"]["member"] is True
    assert graph.nodes["b"]["member"] is False


def test_csv_files_hold_the_network_tables(demo_network: ObservedNetwork, tmp_path: Path) -> None:
    nodes_path, edges_path = to_csv(demo_network, tmp_path / "csv")
    assert (nodes_path.name, edges_path.name) == ("nodes.csv", "edges.csv")
    nodes = pd.read_csv(nodes_path)
    edges = pd.read_csv(
        edges_path, keep_default_na=False, na_values={"handoff_wait_median_days": [""]}
    )
    pd.testing.assert_frame_equal(nodes, demo_network.nodes, check_dtype=False)
    expected = demo_network.edges.astype({"organisation_a": object, "organisation_b": object})
    expected = expected.astype({"paths": object})
    pd.testing.assert_frame_equal(edges, expected, check_dtype=False)

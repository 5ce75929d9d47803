"""Network measures agree with networkx computed directly on the same hand-made graphs."""

from __future__ import annotations

from typing import Any

import networkx as nx
import pytest

from sujuva.errors import UsageError
from sujuva.network.measures import NetworkMeasures, declared_vs_observed, network_measures
from sujuva.network.observed import ObservedNetwork
from tests.network.conftest import network_from

PATH = [("a", "b", 3), ("b", "c", 1), ("c", "d", 4), ("d", "e", 2)]
STAR = [("hub", leaf, weight) for leaf, weight in zip("pqrst", (1, 2, 3, 4, 5), strict=True)]
TRIANGLES = [
    ("a", "b", 5),
    ("b", "c", 5),
    ("a", "c", 5),
    ("d", "e", 5),
    ("e", "f", 5),
    ("d", "f", 5),
    ("c", "d", 1),
]


def reference(edges: list[tuple[str, str, int]], members: tuple[str, ...] = ()) -> nx.Graph:
    """The graph built with networkx alone: weight and distance 1 / weight on each edge."""
    graph = nx.Graph()
    graph.add_nodes_from(members)
    for a, b, weight in edges:
        graph.add_edge(a, b, weight=weight, distance=1 / weight)
    return graph


def column(measures: NetworkMeasures, name: str) -> dict[str, Any]:
    return dict(zip(measures.nodes["organisation"], measures.nodes[name], strict=True))


@pytest.mark.parametrize("edges", [PATH, STAR, TRIANGLES], ids=["path", "star", "triangles"])
def test_centrality_and_cut_points_equal_networkx(edges: list[tuple[str, str, int]]) -> None:
    measures = network_measures(network_from(edges))
    graph = reference(edges)
    assert column(measures, "degree") == dict(graph.degree())
    assert column(measures, "strength") == pytest.approx(dict(graph.degree(weight="weight")))
    assert column(measures, "betweenness") == pytest.approx(nx.betweenness_centrality(graph))
    weighted = nx.betweenness_centrality(graph, weight="distance")
    assert column(measures, "betweenness_weighted") == pytest.approx(weighted)
    cut = set(nx.articulation_points(graph))
    assert {n for n, flag in column(measures, "articulation_point").items() if flag} == cut
    expected_bridges = sorted(tuple(sorted(edge)) for edge in nx.bridges(graph))
    ends = measures.bridges
    found = list(zip(ends["organisation_a"], ends["organisation_b"], strict=True))
    assert found == expected_bridges
    assert set(column(measures, "component").values()) == {0}
    assert set(measures.brokers[measures.brokers["articulation_point"]]["organisation"]) == cut


def test_path_graph_hand_checked() -> None:
    measures = network_measures(network_from(PATH))
    assert column(measures, "betweenness")["c"] == pytest.approx(4 / 6)
    assert len(measures.bridges) == 4
    assert list(measures.bridges["weight"]) == [3.0, 1.0, 4.0, 2.0]


def test_star_centre_is_the_only_broker_of_its_leaves() -> None:
    measures = network_measures(network_from(STAR))
    assert column(measures, "betweenness")["hub"] == pytest.approx(1.0)
    assert column(measures, "strength")["hub"] == 15.0
    assert measures.brokers.iloc[0]["organisation"] == "hub"
    assert measures.isolated == ()


def test_two_triangles_split_at_their_one_bridge() -> None:
    measures = network_measures(network_from(TRIANGLES))
    assert measures.bridges.to_dict("records") == [
        {"organisation_a": "c", "organisation_b": "d", "weight": 1.0}
    ]
    assert measures.communities == (("a", "b", "c"), ("d", "e", "f"))
    brokers = measures.brokers.set_index("organisation")
    assert set(brokers.index) == {"c", "d"}
    assert brokers["articulation_point"].all() and brokers["gatekeeper"].all()
    assert list(brokers["linked_communities"]) == [1, 1]
    community = column(measures, "community")
    assert community["a"] == community["c"] != community["d"] == community["f"]


def test_an_isolated_member_is_reported_and_kept_apart() -> None:
    members = ("a", "b", "zeta")
    measures = network_measures(network_from(TRIANGLES), members=members)
    graph = reference(TRIANGLES, members)
    assert measures.isolated == ("zeta",)
    assert column(measures, "degree") == dict(graph.degree())
    assert column(measures, "betweenness") == pytest.approx(nx.betweenness_centrality(graph))
    assert column(measures, "component") == {name: int(name == "zeta") for name in graph}
    assert column(measures, "member") == {name: name in members for name in graph}
    assert column(measures, "cases")["zeta"] == 0
    assert "zeta" not in set(measures.brokers["organisation"])


def test_weighted_betweenness_follows_strong_ties() -> None:
    """In a square, strong ties a-b-c carry the a–c shortest path; weak ones a-d-c do not."""
    square = [("a", "b", 10), ("b", "c", 10), ("c", "d", 1), ("d", "a", 1)]
    measures = network_measures(network_from(square))
    weighted = column(measures, "betweenness_weighted")
    assert weighted == pytest.approx(
        nx.betweenness_centrality(reference(square), weight="distance")
    )
    assert weighted["b"] > weighted["d"]
    assert column(measures, "betweenness")["b"] == pytest.approx(
        column(measures, "betweenness")["d"]
    )


def test_handoff_weight_ignores_ties_without_handoffs_in_weighted_paths() -> None:
    edges = [("a", "b", 5), ("b", "c", 5), ("a", "c", 5)]
    network = network_from(edges, handoffs={("a", "c"): 0})
    measures = network_measures(network, weight="handoffs")
    assert column(measures, "strength") == {"a": 5.0, "b": 10.0, "c": 5.0}
    without = reference([("a", "b", 5), ("b", "c", 5)], ("a", "b", "c"))
    expected = nx.betweenness_centrality(without, weight="distance")
    assert column(measures, "betweenness_weighted") == pytest.approx(expected)
    assert column(measures, "degree") == {"a": 2, "b": 2, "c": 2}


def test_unknown_weight_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown weight"):
        network_measures(network_from(PATH), weight="size")  # type: ignore[arg-type]


def test_an_empty_network_has_empty_measures() -> None:
    empty = network_from([])
    measures = network_measures(empty)
    assert measures.nodes.empty and measures.bridges.empty and measures.brokers.empty
    assert measures.communities == ()
    assert network_measures(empty, members=("x",)).isolated == ("x",)


def commitment_network() -> ObservedNetwork:
    cases = {"hub": 40, "p": 5, "q": 4, "r": 30, "s": 2, "t": 1}
    return network_from(STAR, cases=cases)


def test_declared_commitment_is_set_beside_observed_involvement() -> None:
    measures = network_measures(commitment_network(), members=("ghost",))
    declared = {"hub": "core", "r": "loose", "p": "core", "q": "active", "ghost": "active"}
    table = declared_vs_observed(measures, declared).set_index("organisation")
    assert table.loc["hub", "observed"] == "core" and table.loc["hub", "difference"] == (
        "as declared"
    )
    assert table.loc["r", "observed"] == "core"
    assert table.loc["r", "difference"] == "more than declared"
    assert table.loc["p", "difference"] == "less than declared"
    assert table.loc["ghost", "cases"] == 0 and table.loc["ghost", "degree"] == 0
    assert table.loc["ghost", "observed"] == "loose"
    assert table["declared"].isna()["s"] and table["observed"].isna()["s"]
    observed = table["observed"].dropna().value_counts().to_dict()
    assert observed == {"core": 2, "active": 2, "loose": 1}
    assert table.loc["r", "cases_share"] == pytest.approx(30 / 40)


def test_unknown_commitment_is_a_usage_error() -> None:
    measures = network_measures(commitment_network())
    with pytest.raises(UsageError, match="unknown commitment"):
        declared_vs_observed(measures, {"hub": "committed"})

"""Graph measures of an observed network: centrality, cut points, bridges, communities.

The network becomes an undirected networkx graph: one node per organisation (observed or a
declared member), one edge per pair that served a common customer. Edge ``weight`` is the
chosen strength of the tie (shared customers by default); weighted shortest paths use
``distance = 1 / weight``, so strong ties are short.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import networkx as nx
import pandas as pd

from sujuva.errors import UsageError
from sujuva.network.observed import ObservedNetwork

Weight = Literal["shared_customers", "shared_cases", "handoffs"]
WEIGHTS: Final = ("shared_customers", "shared_cases", "handoffs")
#: Declared commitment levels, most committed first.
COMMITMENTS: Final = ("core", "active", "loose")


@dataclass(frozen=True)
class NetworkMeasures:
    """Measures of one network.

    ``nodes``: organisation, member (in the given member list), cases, cases_share (of the
    selected cases), degree, strength (sum of incident edge weights), betweenness (unweighted,
    normalised), betweenness_weighted (distance ``1 / weight``), articulation_point,
    component (0 = largest), community (0 = largest). Most cases first.

    ``bridges``: organisation_a, organisation_b, weight — edges whose removal disconnects
    their component.

    ``brokers``: organisation, community, articulation_point, gatekeeper (carries the most
    weight from its community into some other community), linked_communities (other
    communities it has ties to), cross_weight (weight of those ties) — organisations that are
    articulation points or tie their community to another one. Articulation points first,
    then gatekeepers, then by cross weight.

    ``isolated``: members with no observed edge. ``communities``: the organisations of each
    community (greedy modularity), largest first. ``graph``: the networkx graph measured
    (edge attributes: the edge columns plus ``weight`` and ``distance``). ``weight``: the
    edge column used as weight.
    """

    nodes: pd.DataFrame
    bridges: pd.DataFrame
    brokers: pd.DataFrame
    isolated: tuple[str, ...]
    communities: tuple[tuple[str, ...], ...]
    graph: Any
    weight: str


def build_graph(
    network: ObservedNetwork, *, members: Sequence[str] = (), weight: Weight = "shared_customers"
) -> Any:
    """The undirected networkx graph of ``network`` (plus ``members`` as nodes).

    Node attributes: the node columns of the network (zero for a member without steps) and
    ``member``. Edge attributes: the edge columns, ``weight`` and ``distance`` (``1 / weight``,
    absent where the weight is zero).
    """
    if weight not in WEIGHTS:
        raise UsageError(f"unknown weight {weight!r}; choose one of {', '.join(WEIGHTS)}")
    graph = nx.Graph()
    member_set = set(members)
    for row in network.nodes.to_dict("records"):
        name = str(row.pop("organisation"))
        graph.add_node(name, **_plain(row), member=name in member_set)
    for name in members:
        if name not in graph:
            graph.add_node(name, cases=0, customers=0, handoffs_out=0, handoffs_in=0, member=True)
    for row in network.edges.to_dict("records"):
        attrs = _plain(row)
        a, b = str(attrs.pop("organisation_a")), str(attrs.pop("organisation_b"))
        value = float(attrs["handoffs_ab"] + attrs["handoffs_ba"])
        value = value if weight == "handoffs" else float(attrs[weight])
        if value > 0:
            attrs["distance"] = 1.0 / value
        graph.add_edge(a, b, **attrs, weight=value)
    return graph


def _plain(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A record with Python scalars (no numpy types, no NaN/NA: missing values are dropped)."""
    plain: dict[str, Any] = {}
    for key, value in row.items():
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            continue
        plain[str(key)] = value.item() if hasattr(value, "item") else value
    return plain


def network_measures(
    network: ObservedNetwork, *, members: Sequence[str] = (), weight: Weight = "shared_customers"
) -> NetworkMeasures:
    """Degree, strength, betweenness, cut points, bridges, communities and isolated members."""
    graph = build_graph(network, members=members, weight=weight)
    communities = _communities(graph)
    community_of = {name: index for index, group in enumerate(communities) for name in group}
    nodes = _node_table(graph, network.cases, community_of)
    bridges = pd.DataFrame(
        sorted(
            (*sorted((str(u), str(v))), float(graph.edges[u, v]["weight"]))
            for u, v in nx.bridges(graph)
        ),
        columns=["organisation_a", "organisation_b", "weight"],
    )
    isolated = tuple(sorted(name for name in members if graph.degree(name) == 0))
    return NetworkMeasures(
        nodes=nodes,
        bridges=bridges,
        brokers=_brokers(graph, community_of, set(nx.articulation_points(graph))),
        isolated=isolated,
        communities=communities,
        graph=graph,
        weight=weight,
    )


def _communities(graph: Any) -> tuple[tuple[str, ...], ...]:
    """Greedy-modularity communities, each sorted by name; largest first, ties by first name."""
    if graph.number_of_nodes() == 0:
        return ()
    found = nx.community.greedy_modularity_communities(graph, weight="weight")
    groups = [tuple(sorted(str(name) for name in group)) for group in found]
    return tuple(sorted(groups, key=lambda group: (-len(group), group[0])))


def _components(graph: Any) -> dict[str, int]:
    """Connected-component ids: 0 for the largest, ties broken by the first name."""
    groups = sorted(
        (sorted(str(name) for name in group) for group in nx.connected_components(graph)),
        key=lambda group: (-len(group), group[0]),
    )
    return {name: index for index, group in enumerate(groups) for name in group}


def _node_table(graph: Any, cases: int, community_of: Mapping[str, int]) -> pd.DataFrame:
    """One row per organisation with its centrality, cut-point and group measures."""
    weighted = nx.Graph()
    weighted.add_nodes_from(graph)
    weighted.add_edges_from((u, v, d) for u, v, d in graph.edges(data=True) if "distance" in d)
    between = nx.betweenness_centrality(graph)
    between_weighted = nx.betweenness_centrality(weighted, weight="distance")
    cut_points = set(nx.articulation_points(graph))
    component = _components(graph)
    rows = [
        {
            "organisation": name,
            "member": bool(data["member"]),
            "cases": int(data.get("cases", 0)),
            "cases_share": int(data.get("cases", 0)) / cases if cases else 0.0,
            "degree": int(graph.degree(name)),
            "strength": float(graph.degree(name, weight="weight")),
            "betweenness": float(between[name]),
            "betweenness_weighted": float(between_weighted[name]),
            "articulation_point": name in cut_points,
            "component": component[name],
            "community": community_of[name],
        }
        for name, data in graph.nodes(data=True)
    ]
    columns = [
        "organisation",
        "member",
        "cases",
        "cases_share",
        "degree",
        "strength",
        "betweenness",
        "betweenness_weighted",
        "articulation_point",
        "component",
        "community",
    ]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["cases", "organisation"], ascending=[False, True], ignore_index=True)


def _cross_weights(graph: Any, community_of: Mapping[str, int]) -> dict[str, dict[int, float]]:
    """Per organisation, the weight of its ties into each other community."""
    cross: dict[str, dict[int, float]] = {}
    for u, v, data in graph.edges(data=True):
        if community_of[u] != community_of[v]:
            for a, b in ((u, v), (v, u)):
                into = cross.setdefault(str(a), {})
                into[community_of[b]] = into.get(community_of[b], 0.0) + float(data["weight"])
    return cross


def _brokers(graph: Any, community_of: Mapping[str, int], cut_points: set[Any]) -> pd.DataFrame:
    """Articulation points and organisations tied to another community than their own.

    An organisation is the ``gatekeeper`` of its community towards another community when it
    carries the most weight into that community (ties by name).
    """
    cross = _cross_weights(graph, community_of)
    best: dict[tuple[int, int], tuple[float, str]] = {}
    for name, into in cross.items():
        for other, weight in into.items():
            key = (community_of[name], other)
            if key not in best or (-weight, name) < (-best[key][0], best[key][1]):
                best[key] = (weight, name)
    gatekeepers = {name for _, name in best.values()}
    rows = [
        {
            "organisation": str(name),
            "community": community_of[name],
            "articulation_point": name in cut_points,
            "gatekeeper": name in gatekeepers,
            "linked_communities": len(cross.get(name, {})),
            "cross_weight": float(sum(cross.get(name, {}).values())),
        }
        for name in graph
        if name in cut_points or name in cross
    ]
    columns = ["organisation", "community", "articulation_point", "gatekeeper"]
    table = pd.DataFrame(rows, columns=[*columns, "linked_communities", "cross_weight"])
    return table.sort_values(
        ["articulation_point", "gatekeeper", "cross_weight", "organisation"],
        ascending=[False, False, False, True],
        ignore_index=True,
    )


def declared_vs_observed(measures: NetworkMeasures, commitment: Mapping[str, str]) -> pd.DataFrame:
    """Declared commitment next to observed involvement, one row per organisation.

    Columns: organisation, declared (``core``/``active``/``loose``; null when not declared),
    cases, cases_share, degree, involvement (mean of the percentile ranks of cases_share and
    degree among the declared organisations), observed (the level the organisation would
    have if levels were handed out by involvement in the declared numbers: with five declared
    ``core`` organisations, the five most involved are observed ``core``), difference
    (``as declared``, ``more than declared``, ``less than declared``). Most involved first.
    Raises :class:`UsageError` for a commitment outside :data:`COMMITMENTS`.
    """
    wrong = sorted({level for level in commitment.values() if level not in COMMITMENTS})
    if wrong:
        raise UsageError(f"unknown commitment {wrong[0]!r}; choose one of {', '.join(COMMITMENTS)}")
    observed = measures.nodes[["organisation", "cases", "cases_share", "degree"]]
    declared = pd.DataFrame(
        {"organisation": list(commitment), "declared": list(commitment.values())}
    )
    table = declared.merge(observed, on="organisation", how="outer")
    table = table.fillna({"cases": 0, "cases_share": 0.0, "degree": 0})
    table = table.astype({"cases": "int64", "degree": "int64", "cases_share": "float64"})
    is_declared = table["declared"].notna()
    ranked = table[is_declared]
    table["involvement"] = (
        ranked["cases_share"].rank(pct=True) + ranked["degree"].rank(pct=True)
    ) / 2
    table = table.sort_values(
        ["involvement", "cases_share", "degree", "organisation"],
        ascending=[False, False, False, True],
        na_position="last",
        ignore_index=True,
    )
    return _observed_levels(table)


def _observed_levels(table: pd.DataFrame) -> pd.DataFrame:
    """Hand out the declared levels by involvement (the table is sorted most involved first)."""
    declared = table["declared"].dropna()
    counts = declared.value_counts()
    levels = [level for level in COMMITMENTS for _ in range(int(counts.get(level, 0)))]
    observed = pd.Series(pd.NA, index=table.index, dtype="object")
    observed[declared.index] = levels
    rank = {level: index for index, level in enumerate(COMMITMENTS)}
    gap = [
        pd.NA if pd.isna(d) else _difference(rank[str(d)], rank[str(o)])
        for d, o in zip(table["declared"], observed, strict=True)
    ]
    table["observed"] = observed
    table["difference"] = pd.Series(gap, index=table.index, dtype="object")
    text = {"declared": "string", "observed": "string", "difference": "string"}
    return table.astype(text)[
        [
            "organisation",
            "declared",
            "cases",
            "cases_share",
            "degree",
            "involvement",
            "observed",
            "difference",
        ]
    ]


def _difference(declared: int, observed: int) -> str:
    if declared == observed:
        return "as declared"
    return "more than declared" if observed < declared else "less than declared"

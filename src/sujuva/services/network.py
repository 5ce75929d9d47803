"""Use cases of the Network page: the observed collaboration network, scoped and published.

The network counts persons (customers two organisations share, customers handed between them),
so it follows the same rules as every other aggregate: across organisations only per calendar
quarter, with edges and members describing fewer customers than the threshold left out; a
viewer (or an analyst asking for their own cases) sees the network of their own customers.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from sujuva.analytics.scope import scope
from sujuva.analytics.selection import Selection
from sujuva.config import Settings, get_settings
from sujuva.network import (
    NetworkMeasures,
    ObservedNetwork,
    declared_vs_observed,
    network_measures,
    network_svg,
    observed_network,
    to_csv,
    to_graphml,
)
from sujuva.services import cache, members, overview
from sujuva.services.access import Grant, Reach, authorise, reach_for
from sujuva.services.dashboard import selection_key
from sujuva.services.principal import Principal
from sujuva.services.publish import publish, visible
from sujuva.store.store import Store


@dataclass(frozen=True, kw_only=True)
class NetworkView:
    """The published network of a grant: edges and nodes (with ``suppressed`` flags; hidden
    ones left out of the measures and drawing), measures, declared against observed, SVG."""

    grant: Grant
    edges: pd.DataFrame
    nodes: pd.DataFrame
    measures: NetworkMeasures
    declared: pd.DataFrame
    svg: str
    hidden_edges: int
    cases: int


def _raw(selection: Selection, settings: Settings) -> ObservedNetwork:
    def compute() -> ObservedNetwork:
        with Store(settings.data_dir, threads=settings.threads).connect() as con:
            return observed_network(scope(con, selection, zone=ZoneInfo(settings.timezone)))

    return cache.cached(settings, ("network", selection_key(selection)), compute)


def network_view(
    principal: Principal,
    *,
    start: date | None,
    end: date | None = None,
    reach: Reach = "all",
    settings: Settings | None = None,
) -> NetworkView:
    """The network of all paths in the period, as this user may see it; across organisations
    without a start, the latest complete quarter."""
    settings = settings or get_settings()
    if start is None and reach_for(principal, reach) == "all":
        start = overview.latest_complete_quarter(settings=settings)
    grant = authorise(
        principal, Selection(start_from=start, start_to=end), level="aggregate", reach=reach
    )
    published = _published(grant, settings)
    edges, nodes = visible(published.edges), visible(published.nodes)
    kept = ObservedNetwork(
        edges=edges.drop(columns="suppressed"),
        nodes=nodes.drop(columns="suppressed"),
        cases=published.cases,
    )
    roster = members.list_members(principal, settings=settings)
    measures = network_measures(kept, members=[m.code for m in roster])
    commitment = {m.code: m.commitment for m in roster}
    return NetworkView(
        grant=grant,
        edges=published.edges,
        nodes=published.nodes,
        measures=measures,
        declared=declared_vs_observed(measures, commitment),
        svg=network_svg(kept, measures),
        hidden_edges=int(published.edges["suppressed"].sum()),
        cases=published.cases,
    )


def _published(grant: Grant, settings: Settings) -> ObservedNetwork:
    raw = _raw(grant.selection, settings)
    own = _raw(grant.own, settings) if grant.own is not None else None
    k = settings.suppression_threshold
    pair = ["organisation_a", "organisation_b"]
    edges = publish(
        raw.edges,
        key=pair,
        count="shared_customers",
        threshold=k,
        suppressed=grant.suppress,
        dependent=["handoff_wait_median_days", "paths"],
        lines=(),
        own=None if own is None else own.edges,
        extra_counts=["shared_cases", "handoffs_ab", "handoffs_ba"],
    )
    nodes = publish(
        raw.nodes,
        key=["organisation"],
        count="cases",
        threshold=k,
        suppressed=grant.suppress,
        lines=(),
        own=None if own is None else own.nodes,
        extra_counts=["customers", "handoffs_out", "handoffs_in"],
    )
    return ObservedNetwork(edges=edges, nodes=nodes, cases=raw.cases)


def export_graphml(view: NetworkView) -> bytes:
    """The published network as GraphML (hidden edges and members left out)."""
    kept = _kept(view)
    with tempfile.TemporaryDirectory() as folder:
        path = to_graphml(kept, view.measures, Path(folder) / "network.graphml")
        return path.read_bytes()


def export_csv(view: NetworkView) -> dict[str, bytes]:
    """The published network as two CSV files: nodes.csv and edges.csv."""
    kept = _kept(view)
    with tempfile.TemporaryDirectory() as folder:
        nodes, edges = to_csv(kept, Path(folder))
        return {"nodes.csv": nodes.read_bytes(), "edges.csv": edges.read_bytes()}


def _kept(view: NetworkView) -> ObservedNetwork:
    return ObservedNetwork(
        edges=visible(view.edges).drop(columns="suppressed"),
        nodes=visible(view.nodes).drop(columns="suppressed"),
        cases=view.cases,
    )

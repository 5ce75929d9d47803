"""The organisation network: who serves the same customers, who hands customers to whom.

:mod:`~sujuva.network.observed` measures the network from the events of a selection (set-based
SQL over the store); :mod:`~sujuva.network.measures` computes graph measures with networkx
(centrality, articulation points, bridges, communities, isolated members, declared versus
observed commitment); :mod:`~sujuva.network.export` writes GraphML and CSV and
:mod:`~sujuva.network.draw` a self-contained SVG drawing.
"""

from __future__ import annotations

from sujuva.network.draw import network_svg
from sujuva.network.export import to_csv, to_graphml
from sujuva.network.measures import NetworkMeasures, declared_vs_observed, network_measures
from sujuva.network.observed import ObservedNetwork, observed_network

__all__ = [
    "NetworkMeasures",
    "ObservedNetwork",
    "declared_vs_observed",
    "network_measures",
    "network_svg",
    "observed_network",
    "to_csv",
    "to_graphml",
]

"""Fixtures for the network tests: the demo region's network and hand-made networks."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from sujuva.analytics.scope import Scope, scope
from sujuva.analytics.selection import Selection
from sujuva.network.observed import ObservedNetwork, observed_network
from sujuva.store.store import Store

ZONE = ZoneInfo("Europe/Helsinki")


@pytest.fixture(scope="module")
def demo_scope(demo_region: Path) -> Iterator[Scope]:
    """A scope over every case of the demo region."""
    with Store(demo_region).connect() as con:
        yield scope(con, Selection(), zone=ZONE)


@pytest.fixture(scope="module")
def demo_network(demo_scope: Scope) -> ObservedNetwork:
    return observed_network(demo_scope)


@pytest.fixture(scope="module")
def demo_files(demo_region: Path) -> Path:
    """The folder of the demo generator's files (ground truth, organisations, catalogue)."""
    return demo_region.parent / "files"


@pytest.fixture(scope="module")
def ground_truth(demo_files: Path) -> dict[str, Any]:
    truth: dict[str, Any] = json.loads((demo_files / "ground_truth.json").read_text("utf-8"))
    return truth


@pytest.fixture(scope="module")
def organisations(demo_files: Path) -> pd.DataFrame:
    return pd.read_csv(demo_files / "organisations.csv")


def network_from(
    edges: Sequence[tuple[str, str, int]],
    *,
    cases: dict[str, int] | None = None,
    handoffs: dict[tuple[str, str], int] | None = None,
) -> ObservedNetwork:
    """A hand-made network: each edge (a, b, shared customers) with as many shared cases and,
    unless ``handoffs`` says otherwise, as many hand-offs from a to b; 10 cases per node."""
    handoffs = handoffs or {}
    rows = []
    for a, b, weight in edges:
        low, high = sorted((a, b))
        moved = handoffs.get((a, b), weight)
        rows.append(
            {
                "organisation_a": low,
                "organisation_b": high,
                "shared_customers": weight,
                "shared_cases": weight,
                "handoffs_ab": moved if low == a else 0,
                "handoffs_ba": 0 if low == a else moved,
                "handoff_wait_median_days": 2.5 if moved else float("nan"),
                "paths": "p",
            }
        )
    names = sorted({name for a, b, _ in edges for name in (a, b)} | set(cases or {}))
    nodes = pd.DataFrame(
        {
            "organisation": names,
            "cases": [(cases or {}).get(name, 10) for name in names],
            "customers": [(cases or {}).get(name, 10) for name in names],
            "handoffs_out": [1] * len(names),
            "handoffs_in": [1] * len(names),
        }
    )
    columns = [
        "organisation_a",
        "organisation_b",
        "shared_customers",
        "shared_cases",
        "handoffs_ab",
        "handoffs_ba",
        "handoff_wait_median_days",
        "paths",
    ]
    return ObservedNetwork(edges=pd.DataFrame(rows, columns=columns), nodes=nodes, cases=40)

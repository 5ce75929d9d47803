"""The observed network equals an independent pandas computation and the generator's design."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

from sujuva.analytics.cases import handoffs
from sujuva.analytics.scope import Scope, scope
from sujuva.analytics.selection import Selection
from sujuva.config import Settings
from sujuva.network.measures import declared_vs_observed, network_measures
from sujuva.network.observed import ObservedNetwork, observed_network
from sujuva.services.importing import import_files
from sujuva.store.store import Store
from tests.network.conftest import ZONE

UNKNOWN = "unknown"
PAIR = ["organisation_a", "organisation_b"]

#: Hand-offs that the path definitions in sujuva.demo.paths make happen (from, to).
GENERATOR_HANDOFFS = [
    # entrepreneur: counselling (agency) → grant application (TE) → statement (EA) → decision
    # (TE) → trade register (PRH) → follow-up (agency) → growth (ELY / Finnvera) → employee
    ("Enterprise Agency", "TE Office"),
    ("Josek", "TE Office"),
    ("TE Office", "Enterprise Agency"),
    ("TE Office", "PRH"),
    ("PRH", "Enterprise Agency"),
    ("PRH", "Josek"),
    ("Enterprise Agency", "ELY Centre"),
    ("Josek", "Finnvera"),
    ("ELY Centre", "Employer"),
    ("Finnvera", "Employer"),
    # graduate: career guidance (school) → registration (TE) (→ statement of studies)
    ("UEF", "TE Office"),
    ("Karelia UAS", "TE Office"),
    ("Riveria", "TE Office"),
    ("TE Office", "Riveria"),
    # job search: TE (→ municipal interview) → discussions (TE) (→ peer support) → end (TE)
    ("TE Office", "Joensuu"),
    ("Joensuu", "TE Office"),
    ("TE Office", "Lieksa"),
    ("Lieksa", "TE Office"),
    ("TE Office", "Unemployed Association"),
    ("Unemployed Association", "TE Office"),
    # work to work: notice (employer) → registration, plan (TE) (→ skills survey) → leave
    # (employer) (→ training) → new job (employer) / end (TE)
    ("Employer", "TE Office"),
    ("TE Office", "Staffing firm"),
    ("Staffing firm", "Employer"),
    ("Employer", "Riveria"),
    ("Employer", "Karelia UAS"),
]
#: Pairs the generator never puts into one case (one of them is chosen per case), and a
#: direction it never takes (after the trade register comes the agency's follow-up).
NEVER_IN_ONE_CASE = [
    ("Joensuu", "Lieksa"),
    ("ELY Centre", "Finnvera"),
    ("Karelia UAS", "UEF"),
    ("Riveria", "UEF"),
]


def reference(events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Edges and nodes computed with pandas alone from the exported events."""
    events = events.sort_values(["path", "case_id", "timestamp"], kind="stable")
    events = events.reset_index(drop=True)
    missing = events["customer_id"].isna() | (events["customer_id"] == "")
    case_key = "case:" + events["path"] + "\x1f" + events["case_id"]
    events["customer"] = case_key.where(missing, "customer:" + events["customer_id"])
    known = events[events["actor"] != UNKNOWN]
    involved = known[["path", "case_id", "customer", "actor"]].drop_duplicates()
    both = involved.merge(involved, on=["path", "case_id"])
    both = both[both["actor_x"] < both["actor_y"]]
    cases = both.groupby(["actor_x", "actor_y"]).agg(
        shared_cases=("case_id", "size"),
        paths=("path", lambda paths: ", ".join(sorted(set(paths)))),
    )
    customers = involved[["customer", "actor"]].drop_duplicates()
    pairs = customers.merge(customers, on="customer")
    pairs = pairs[pairs["actor_x"] < pairs["actor_y"]]
    shared = pairs.groupby(["actor_x", "actor_y"]).size().rename("shared_customers")
    edges = pd.concat([shared, cases], axis=1)
    edges.index.names = PAIR
    edges = edges.join(_reference_handoffs(events).rename_axis(PAIR))
    edges = edges.reset_index().fillna({"shared_cases": 0, "handoffs_ab": 0, "handoffs_ba": 0})
    edges["paths"] = edges["paths"].fillna("")
    nodes = involved.groupby("actor").agg(
        cases=("case_id", "size"), customers=("customer", "nunique")
    )
    return edges, nodes


def _reference_handoffs(events: pd.DataFrame) -> pd.DataFrame:
    """Directed hand-off counts and the median boundary wait per unordered pair."""
    case = events.groupby(["path", "case_id"], sort=False)
    following = pd.DataFrame(
        {
            "actor": events["actor"],
            "next": case["actor"].shift(-1),
            "ts": events["timestamp"],
            "next_ts": case["timestamp"].shift(-1),
            "next_start": case["start_timestamp"].shift(-1),
        }
    )
    moves = following[
        following["next"].notna()
        & (following["next"] != following["actor"])
        & (following["actor"] != UNKNOWN)
        & (following["next"] != UNKNOWN)
    ].copy()
    arrival = moves["next_start"].fillna(moves["next_ts"])
    later = arrival.where(arrival > moves["ts"], moves["ts"])
    moves["wait"] = (later - moves["ts"]).dt.total_seconds() / 86400
    moves["a"] = moves[["actor", "next"]].min(axis=1)
    moves["b"] = moves[["actor", "next"]].max(axis=1)
    moves["ab"] = moves["actor"] == moves["a"]
    return moves.groupby(["a", "b"]).agg(
        handoffs_ab=("ab", "sum"),
        handoffs_ba=("ab", lambda forward: int((~forward).sum())),
        handoff_wait_median_days=("wait", "median"),
    )


def compare(network: ObservedNetwork, events: pd.DataFrame) -> None:
    edges, nodes = reference(events)
    found = network.edges.set_index(PAIR).sort_index()
    expected = edges.set_index(PAIR).sort_index()
    assert list(found.index) == list(expected.index)
    for name in ("shared_customers", "shared_cases", "handoffs_ab", "handoffs_ba"):
        assert found[name].astype(int).tolist() == expected[name].astype(int).tolist(), name
    assert found["paths"].astype(str).tolist() == expected["paths"].tolist()
    waits = found["handoff_wait_median_days"].to_numpy(dtype=float)
    assert waits == pytest.approx(expected["handoff_wait_median_days"].to_numpy(float), nan_ok=True)
    by_name = network.nodes.set_index("organisation").sort_index()
    assert list(by_name.index) == list(nodes.sort_index().index)
    assert by_name["cases"].tolist() == nodes.sort_index()["cases"].tolist()
    assert by_name["customers"].tolist() == nodes.sort_index()["customers"].tolist()


@pytest.fixture(scope="module")
def demo_events(demo_region: Path) -> pd.DataFrame:
    events: pd.DataFrame = Store(demo_region).to_arrow().to_pandas()
    return events


def test_demo_network_equals_a_pandas_computation(
    demo_network: ObservedNetwork, demo_events: pd.DataFrame
) -> None:
    compare(demo_network, demo_events)
    assert demo_network.cases == demo_events.groupby(["path", "case_id"]).ngroups


def test_handoff_totals_agree_with_the_handoff_matrix(
    demo_scope: Scope, demo_network: ObservedNetwork
) -> None:
    matrix = handoffs(demo_scope).matrix
    edges = demo_network.edges
    assert int(edges["handoffs_ab"].sum() + edges["handoffs_ba"].sum()) == matrix["handoffs"].sum()
    nodes = demo_network.nodes.set_index("organisation")
    out = matrix.groupby("from_actor")["handoffs"].sum()
    assert nodes.loc[out.index, "handoffs_out"].tolist() == out.tolist()
    inward = matrix.groupby("to_actor")["handoffs"].sum()
    assert nodes.loc[inward.index, "handoffs_in"].tolist() == inward.tolist()


def directed(network: ObservedNetwork, source: str, target: str) -> int:
    low, high = sorted((source, target))
    row = network.edges[
        (network.edges["organisation_a"] == low) & (network.edges["organisation_b"] == high)
    ]
    if row.empty:
        return 0
    return int(row["handoffs_ab" if source == low else "handoffs_ba"].iloc[0])


def shared_cases(network: ObservedNetwork, a: str, b: str) -> int:
    low, high = sorted((a, b))
    edges = network.edges
    row = edges[(edges["organisation_a"] == low) & (edges["organisation_b"] == high)]
    return 0 if row.empty else int(row["shared_cases"].iloc[0])


@pytest.mark.parametrize(("source", "target"), GENERATOR_HANDOFFS)
def test_generator_handoffs_are_observed(
    demo_network: ObservedNetwork, source: str, target: str
) -> None:
    assert directed(demo_network, source, target) > 0


@pytest.mark.parametrize(("a", "b"), NEVER_IN_ONE_CASE)
def test_alternatives_never_share_a_case(demo_network: ObservedNetwork, a: str, b: str) -> None:
    assert shared_cases(demo_network, a, b) == 0
    assert directed(demo_network, a, b) == directed(demo_network, b, a) == 0


def test_trade_register_hands_back_to_the_agency_not_the_te_office(
    demo_network: ObservedNetwork,
) -> None:
    assert directed(demo_network, "TE Office", "PRH") > 0
    assert directed(demo_network, "PRH", "TE Office") == 0


def test_structure_matches_the_generator_files(
    demo_network: ObservedNetwork, ground_truth: dict[str, Any], organisations: pd.DataFrame
) -> None:
    assert set(demo_network.nodes["organisation"]) == set(organisations["short_name"])
    assert demo_network.cases == ground_truth["totals"]["cases"]
    te = demo_network.nodes.set_index("organisation").loc["TE Office"]
    assert te["customers"] <= ground_truth["totals"]["customers"]
    for contact in ground_truth["duplicate_contact"]:
        first, second = (step["actor"] for step in contact["steps"])
        # The catalogue's actor names the organisation type (Joensuu stands for the
        # municipality), so only the link itself is certain, not the count.
        assert shared_cases(demo_network, first, second) > 0
        low, high = sorted((first, second))
        edge = demo_network.edges.set_index(PAIR).loc[(low, high)]
        assert contact["path"] in str(edge["paths"]).split(", ")
    # Pairs that never meet in one case share only customers with several cases.
    several = ground_truth["totals"]["customers_with_several_cases"]
    apart = demo_network.edges[demo_network.edges["shared_cases"] == 0]
    assert len(apart) > 0 and (apart["paths"] == "").all()
    assert (apart["shared_customers"] <= several).all()


def test_declared_commitment_of_the_demo_organisations(
    demo_network: ObservedNetwork, organisations: pd.DataFrame
) -> None:
    commitment = dict(zip(organisations["short_name"], organisations["commitment"], strict=True))
    measures = network_measures(demo_network, members=list(commitment))
    assert measures.isolated == ()
    table = declared_vs_observed(measures, commitment)
    assert set(table["organisation"]) == set(commitment)
    assert table["observed"].value_counts().to_dict() == table["declared"].value_counts().to_dict()
    assert table.iloc[0]["organisation"] == "TE Office"


def test_a_path_selection_keeps_its_own_organisations(demo_region: Path) -> None:
    with Store(demo_region).connect() as con:
        network = observed_network(scope(con, Selection(paths=("graduate",)), zone=ZONE))
    assert set(network.nodes["organisation"]) == {"TE Office", "UEF", "Karelia UAS", "Riveria"}
    assert set(network.edges["paths"]) == {"graduate"}


LOG = """case_id,customer_id,path,activity,actor,timestamp,start_timestamp
C1,X,p1,start,A,2018-01-01T10:00:00+02:00,
C1,X,p1,check,B,2018-01-03T10:00:00+02:00,2018-01-03T09:00:00+02:00
C1,X,p1,end,A,2018-01-04T10:00:00+02:00,
C2,X,p2,start,C,2018-02-01T10:00:00+02:00,
C3,,p1,start,A,2018-03-01T10:00:00+02:00,
C3,,p1,check,,2018-03-02T10:00:00+02:00,
C3,,p1,end,B,2018-03-03T10:00:00+02:00,
C4,,p2,start,B,2018-04-01T10:00:00+02:00,
C4,,p2,end,C,2018-04-06T10:00:00+02:00,2018-03-30T10:00:00+02:00
"""


def check_tiny(network: ObservedNetwork) -> None:
    """The hand-checked network of LOG (C3 and C4 have no customer: one customer each)."""
    edges = network.edges.set_index(PAIR)
    records = {
        (r["organisation_a"], r["organisation_b"]): r for r in network.edges.to_dict("records")
    }
    assert {k: v for k, v in records["A", "B"].items() if k not in PAIR} == {
        "shared_customers": 2,
        "shared_cases": 2,
        "handoffs_ab": 1,
        "handoffs_ba": 1,
        "handoff_wait_median_days": pytest.approx((2 - 1 / 24 + 1) / 2),
        "paths": "p1",
    }
    assert edges.loc[("A", "C"), "shared_cases"] == 0 and edges.loc[("A", "C"), "paths"] == ""
    assert edges.loc[("B", "C"), "handoff_wait_median_days"] == 0.0
    nodes = network.nodes.set_index("organisation")
    assert nodes.to_dict("index") == {
        "B": {"cases": 3, "customers": 3, "handoffs_out": 2, "handoffs_in": 1},
        "A": {"cases": 2, "customers": 2, "handoffs_out": 1, "handoffs_in": 1},
        "C": {"cases": 2, "customers": 2, "handoffs_out": 0, "handoffs_in": 1},
    }
    assert network.cases == 4


@pytest.fixture
def tiny_store(settings: Settings, tmp_path: Path) -> Store:
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8")
    import_files([tmp_path / "log.csv"], settings=settings)
    return Store(settings.data_dir)


def test_unknown_actor_is_no_organisation(tiny_store: Store) -> None:
    """The importer gives a case without a customer its case id as customer; the placeholder
    actor of a step without one is left out, hand-offs through it too."""
    with tiny_store.connect() as con:
        network = observed_network(scope(con, Selection(), zone=ZONE))
    compare(network, tiny_store.to_arrow().to_pandas())
    check_tiny(network)


@pytest.mark.parametrize("missing", [None, ""], ids=["null", "empty"])
def test_a_missing_customer_counts_as_a_customer_of_its_own(
    tiny_store: Store, missing: str | None
) -> None:
    """A store whose cases lack customer ids (null or empty): each such case stands alone."""
    memory = duckdb.connect()
    with tiny_store.connect() as con:
        for table in ("cases", "events", "actors", "paths", "activities"):
            rows = con.sql(f"FROM {table}").to_arrow_table()
            memory.register("source", rows)
            memory.execute(f"CREATE TABLE {table} AS FROM source")
            memory.unregister("source")
    memory.execute("UPDATE cases SET customer_id = ? WHERE case_id IN ('C3', 'C4')", [missing])
    network = observed_network(scope(memory, Selection(), zone=ZONE))
    events = tiny_store.to_arrow().to_pandas()
    events.loc[events["case_id"].isin(["C3", "C4"]), "customer_id"] = missing
    compare(network, events)
    check_tiny(network)
    memory.close()

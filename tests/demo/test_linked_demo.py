"""The demo region arrives as it would in life — each organisation's own export — and linking
reassembles the generator's true paths, apart from the case the injected faults break, which
the linkage report names."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from tests.analytics.conftest import scoped

from sujuva.analytics.cases import handoffs
from sujuva.analytics.flow import process_map
from sujuva.analytics.lean import lead_time
from sujuva.analytics.selection import Selection
from sujuva.config import override_settings, reset_settings
from sujuva.services.importing import import_files
from sujuva.services.linkage import linkage_json, linkage_report
from sujuva.store.store import Store

CASES = (
    "SELECT path, list((activity, actor, timestamp, start_timestamp) "
    "ORDER BY timestamp, activity, actor)::VARCHAR AS steps FROM {} GROUP BY case_id, path"
)


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, demo_region: Path) -> tuple[Store, Store]:
    """The linked demo store, and a store of the generator's joined log (one shared case id)
    without the one event the demo's mistyped identity code keeps out."""
    files = demo_region.parent / "files"
    manifest = json.loads((files / "manifest.json").read_text(encoding="utf-8"))
    row = manifest["faults"]["quarantined_row"]
    joined = pq.read_table(files / "events.parquet")
    at = dt.datetime.fromisoformat(row["timestamp"])
    keep = pc.invert(
        pc.and_(
            pc.equal(joined["case_id"], row["case_id"]),
            pc.and_(
                pc.equal(joined["activity"], row["activity"]),
                pc.equal(joined["timestamp"], pa.scalar(at, joined["timestamp"].type)),
            ),
        )
    )
    assert joined.num_rows - pc.sum(keep).as_py() == 1
    folder = tmp_path_factory.mktemp("joined")
    pq.write_table(joined.filter(keep), folder / "joined.parquet")
    reset_settings()
    settings = override_settings(data_dir=folder / "data")
    import_files([folder / "joined.parquet"], settings=settings)
    reset_settings()
    return Store(demo_region), Store(folder / "data")


def _cases(store: Store) -> Counter[tuple[str, str]]:
    with store.connect() as con:
        return Counter(
            (str(p), str(s)) for p, s in con.execute(CASES.format("event_log")).fetchall()
        )


def test_linked_cases_are_the_generators_cases(stores: tuple[Store, Store]) -> None:
    linked, joined = stores
    assert _cases(linked) == _cases(joined)
    info = linked.info()
    assert info.cases == joined.info().cases and info.events == joined.info().events
    with linked.connect() as con:
        formed, sources = con.execute(
            "SELECT count(*) FILTER (WHERE formed), (SELECT count(DISTINCT source) FROM events) "
            "FROM cases"
        ).fetchall()[0]
    assert formed == info.cases and sources >= 9


def test_lead_times_equal_the_joined_logs(stores: tuple[Store, Store]) -> None:
    linked, joined = stores
    for path in ("entrepreneur", "graduate", "job_search", "work_to_work"):
        selection = Selection(paths=(path,))
        with scoped(linked, selection) as a, scoped(joined, selection) as b:
            ours, theirs = lead_time(a), lead_time(b)
        assert (ours.cases, ours.closed) == (theirs.cases, theirs.closed)
        assert ours.km_median_days == pytest.approx(theirs.km_median_days)
        assert ours.naive_median_days == pytest.approx(theirs.naive_median_days)


def test_map_and_handoffs_equal_the_joined_logs_but_for_ties(
    stores: tuple[Store, Store],
) -> None:
    """Two organisations' steps at the very same second have no order but their sources': the
    map and the hand-offs may differ only by the few events that tie so."""
    linked, joined = stores
    with linked.connect() as con:
        ties = con.execute(
            "SELECT count(*) FROM events WHERE next_ts = ts AND next_actor_code <> actor_code"
        ).fetchall()[0][0]
    assert ties < 0.001 * linked.info().events
    maps = []
    for store in (linked, joined):
        with scoped(store) as scope:
            maps.append((process_map(scope).arcs, handoffs(scope).matrix))
    (ours_arcs, ours_hand), (their_arcs, their_hand) = maps
    merged = ours_arcs.merge(
        their_arcs, on=["source", "target"], how="outer", suffixes=("", "_j")
    ).fillna(0)
    off = (merged["frequency"] - merged["frequency_j"]).abs()
    assert off.sum() <= 4 * ties, merged[off > 0]
    assert int(ours_arcs["frequency"].sum()) == int(their_arcs["frequency"].sum())
    totals = (int(ours_hand["handoffs"].sum()), int(their_hand["handoffs"].sum()))
    assert abs(totals[0] - totals[1]) <= 2 * ties


def test_the_linkage_report_names_the_faults(demo_region: Path) -> None:
    files = demo_region.parent / "files"
    manifest = json.loads((files / "manifest.json").read_text(encoding="utf-8"))
    reset_settings()
    report = linkage_json(linkage_report(settings=override_settings(data_dir=demo_region)))
    reset_settings()
    by_source = {row["source"]: row for row in report["sources"]}
    assert by_source["te-office"]["rejected_keys"] == 1
    assert sum(row["rejected_keys"] for row in report["sources"]) == 1
    conflicts = {row["attribute"]: row["cases"] for row in report["conflicts"]}
    assert conflicts == {manifest["faults"]["conflicting_attribute"]["attribute"]: 1}
    region = report["region"]
    assert region["formed_cases"] == region["cases"]
    assert 0.5 < region["multi_organisation_share"] <= 1
    assert region["cases_without_start"] == 0
    assert all(row["unassigned_events"] == 0 for row in report["sources"])
    assert (files / "rejected.csv").exists()
    assert manifest["faults"]["quarantined_row"]["identity_code"] not in (
        files / "rejected.csv"
    ).read_text(encoding="utf-8")

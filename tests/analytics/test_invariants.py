"""Invariants that hold for any log: counts add up, filters commute, waiting is never negative."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sujuva.analytics import cases, flow
from sujuva.analytics.selection import Selection
from sujuva.config import Settings
from sujuva.services.importing import import_files
from sujuva.store.store import Store
from tests.analytics.conftest import scoped


@st.composite
def logs(draw: st.DrawFn) -> pa.Table:
    """Random logs over two paths with ties, overlaps and missing start times."""
    rows: list[dict[str, Any]] = []
    base = datetime(2017, 1, 2, tzinfo=UTC)
    for case in range(draw(st.integers(min_value=1, max_value=15))):
        path = draw(st.sampled_from(["p1", "p2"]))
        for _ in range(draw(st.integers(min_value=1, max_value=7))):
            done = base + timedelta(hours=draw(st.integers(min_value=0, max_value=200)))
            start = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=50)))
            rows.append(
                {
                    "case_id": f"c{case}",
                    "path": path,
                    "activity": draw(st.sampled_from("ABCD")),
                    "actor": draw(st.sampled_from(["TE", "ELY"])),
                    "timestamp": done,
                    "start_timestamp": None if start is None else done - timedelta(hours=start),
                    "case:group": "x" if case % 2 else "y",
                }
            )
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("case_id", pa.string()),
                ("path", pa.string()),
                ("activity", pa.string()),
                ("actor", pa.string()),
                ("timestamp", pa.timestamp("us", tz="UTC")),
                ("start_timestamp", pa.timestamp("us", tz="UTC")),
                ("case:group", pa.string()),
            ]
        ),
    )


def _store(settings: Settings, folder: Path, log: pa.Table) -> Store:
    pq.write_table(log, folder / "log.parquet")
    local = settings.model_copy(update={"data_dir": folder / "data"})
    import_files([folder / "log.parquet"], settings=local)
    return Store(local.data_dir)


@given(log=logs())
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_counts_add_up_and_filters_commute(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory, log: pa.Table
) -> None:
    store = _store(settings, tmp_path_factory.mktemp("inv"), log)
    info = store.info()
    with scoped(store) as everything:
        whole = flow.process_map(everything)
        hand = cases.handoffs(everything)
    assert int(whole.arcs["frequency"].sum()) == info.events - info.cases
    assert int(hand.matrix["handoffs"].sum()) <= info.events - info.cases
    assert int((hand.distribution["handoffs"] * hand.distribution["cases"]).sum()) == int(
        hand.matrix["handoffs"].sum()
    )
    assert int(hand.distribution["cases"].sum()) == info.cases
    with scoped(store) as again:
        listed = cases.handoffs_per_case(again)
    assert int(listed["handoffs"].sum()) == int(hand.matrix["handoffs"].sum())
    assert (whole.arcs["wait_mean_s"] >= 0).all()
    assert sum(whole.start_activities.values()) == sum(whole.end_activities.values()) == info.cases
    parts: dict[tuple[str, str], int] = {}
    for group in ("x", "y"):
        with scoped(store, Selection(where={"case:group": (group,)})) as part:
            for arc in flow.process_map(part).arcs.itertuples():
                parts[(arc.source, arc.target)] = (
                    parts.get((arc.source, arc.target), 0) + arc.frequency
                )
    assert parts == {(a.source, a.target): a.frequency for a in whole.arcs.itertuples()}
    with (
        scoped(store, Selection(paths=("p1",))) as p1,
        scoped(store, Selection(paths=("p2",))) as p2,
    ):
        split = len(cases.case_durations(p1)) + len(cases.case_durations(p2))
        variants_split = int(cases.variants(p1).table["cases"].sum()) + int(
            cases.variants(p2).table["cases"].sum()
        )
    assert split == variants_split == info.cases


def test_waiting_is_floored_at_zero_when_the_next_step_started_early(
    settings: Settings, tmp_path: Path
) -> None:
    t0 = datetime(2017, 3, 1, 9, tzinfo=UTC)
    log = pa.table(
        {
            "case_id": ["a", "a", "a"],
            "activity": ["Register", "Interview", "Plan"],
            "timestamp": pa.array(
                [t0, t0 + timedelta(hours=5), t0 + timedelta(hours=9)], pa.timestamp("us", tz="UTC")
            ),
            "start_timestamp": pa.array(
                [None, t0 - timedelta(hours=1), t0 + timedelta(hours=6)],
                pa.timestamp("us", tz="UTC"),
            ),
        }
    )
    with scoped(_store(settings, tmp_path, log)) as scope:
        arcs = {
            (r.source, r.target): r.wait_mean_s for r in flow.process_map(scope).arcs.itertuples()
        }
    assert arcs == {("Register", "Interview"): 0.0, ("Interview", "Plan"): 3600.0}


def test_unknown_case_attribute_is_a_clear_error(settings: Settings, tmp_path: Path) -> None:
    from sujuva.errors import UsageError

    log = pa.table({"case_id": ["a"], "activity": ["A"], "timestamp": ["2017-01-01T10:00:00Z"]})
    store = _store(settings, tmp_path, log)
    with (
        pytest.raises(UsageError, match="unknown case attribute 'case:nope'"),
        scoped(store, Selection(where={"case:nope": ("1",)})),
    ):
        pass


@given(log=logs(), closed_share=st.floats(min_value=0.0, max_value=1.0))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_kaplan_meier_curve_stays_in_bounds_and_never_rises(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory, log: pa.Table, closed_share: float
) -> None:
    from sujuva.analytics import lean

    cases = sorted(set(log["case_id"].to_pylist()))
    closed = set(cases[: round(len(cases) * closed_share)])
    last = {}
    for index, (case, ts) in enumerate(
        zip(log["case_id"].to_pylist(), log["timestamp"].to_pylist(), strict=True)
    ):
        if case not in last or ts >= last[case][1]:
            last[case] = (index, ts)
    outcome = [None] * log.num_rows
    for case, (index, _) in last.items():
        if case in closed:
            outcome[index] = "job"
    store = _store(
        settings,
        tmp_path_factory.mktemp("km"),
        log.append_column("outcome", pa.array(outcome, pa.string())),
    )
    with scoped(store) as scope:
        found = lean.lead_time(scope)
    curve = found.curve["still_open"]
    assert ((curve >= 0) & (curve <= 1)).all()
    assert (curve.diff().dropna() <= 1e-12).all()
    assert found.closed + found.open == found.cases == store.info().cases
    if found.km_median_days is not None and found.naive_median_days is not None and found.open == 0:
        assert (
            found.km_median_days == pytest.approx(found.naive_median_days, abs=1e-6)
            or found.cases % 2 == 0
        )

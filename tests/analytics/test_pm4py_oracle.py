"""The process-mining figures equal pm4py's (the test-only oracle) on real and generated logs."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sujuva.analytics import cases, flow
from sujuva.config import Settings
from sujuva.services.importing import import_files
from sujuva.store.store import Store
from tests.analytics.conftest import scoped
from tests.conftest import public_log

pm4py = pytest.importorskip("pm4py")


def _pm4py_frame(store: Store) -> pd.DataFrame:
    """The stored events in pm4py's shape (case, activity, time, group), in stored order."""
    frame = store.to_arrow().to_pandas()
    frame = frame.rename(
        columns={
            "case_id": "case:concept:name",
            "activity": "concept:name",
            "timestamp": "time:timestamp",
            "actor": "org:group",
        }
    )
    if frame["start_timestamp"].isna().all():
        frame = frame.drop(columns=["start_timestamp"])
    return pm4py.format_dataframe(
        frame,
        case_id="case:concept:name",
        activity_key="concept:name",
        timestamp_key="time:timestamp",
    )


def _check_against_pm4py(store: Store) -> None:
    frame = _pm4py_frame(store)
    dfg, starts, ends = pm4py.discover_dfg(frame)
    performance, _, _ = pm4py.discover_performance_dfg(frame)
    with scoped(store) as scope:
        process = flow.process_map(scope)
        found_variants = cases.variants(scope).table
        durations = cases.case_durations(scope)
        hand = cases.handoffs(scope)
    ours = {(r.source, r.target): r for r in process.arcs.itertuples()}
    assert {k: r.frequency for k, r in ours.items()} == dict(dfg)
    assert process.start_activities == dict(starts)
    assert process.end_activities == dict(ends)
    for arc, measures in performance.items():
        assert math.isclose(ours[arc].wait_mean_s, measures["mean"], rel_tol=1e-9, abs_tol=1e-6)
        assert math.isclose(ours[arc].wait_median_s, measures["median"], rel_tol=1e-9, abs_tol=1e-6)
    theirs_variants = {tuple(k): v for k, v in pm4py.get_variants(frame).items()}
    assert (
        dict(zip(found_variants["variant"], found_variants["cases"], strict=True))
        == theirs_variants
    )
    completions_only = pd.DataFrame(
        {k: frame[k].to_numpy() for k in ("case:concept:name", "concept:name", "time:timestamp")}
    )
    expected_durations = sorted(pm4py.get_all_case_durations(completions_only))
    assert sorted(durations["duration_s"]) == pytest.approx(expected_durations)
    by_group, _, _ = pm4py.discover_dfg(frame, activity_key="org:group")
    expected = {arc: n for arc, n in by_group.items() if arc[0] != arc[1]}
    found = {(r.from_actor, r.to_actor): r.handoffs for r in hand.matrix.itertuples()}
    assert found == expected


@pytest.mark.parametrize("name", ["running-example.xes", "receipt.xes.gz"])
def test_public_logs_equal_pm4py(store_of: Any, name: str) -> None:
    _check_against_pm4py(store_of(public_log(name)))


@st.composite
def generated_logs(draw: st.DrawFn) -> pa.Table:
    """Cases of distinct, non-overlapping steps, some with start times (no ties, so pm4py's
    start-then-completion sort and our completion sort agree)."""
    rows: list[dict[str, Any]] = []
    base = datetime(2017, 1, 2, tzinfo=UTC)
    with_start = draw(st.booleans())
    for case in range(draw(st.integers(min_value=1, max_value=12))):
        clock = base + timedelta(days=case)
        for _ in range(draw(st.integers(min_value=1, max_value=8))):
            gap = timedelta(minutes=draw(st.integers(min_value=1, max_value=5000)))
            work = timedelta(minutes=draw(st.integers(min_value=0, max_value=300)))
            start = clock + gap
            clock = start + work
            rows.append(
                {
                    "case_id": f"c{case}",
                    "activity": draw(st.sampled_from("ABCDE")),
                    "actor": draw(st.sampled_from(["TE", "ELY", "Josek"])),
                    "timestamp": clock,
                    "start_timestamp": start if with_start else None,
                }
            )
    return pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("case_id", pa.string()),
                ("activity", pa.string()),
                ("actor", pa.string()),
                ("timestamp", pa.timestamp("us", tz="UTC")),
                ("start_timestamp", pa.timestamp("us", tz="UTC")),
            ]
        ),
    )


@given(log=generated_logs())
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_generated_logs_equal_pm4py(
    settings: Settings, tmp_path_factory: pytest.TempPathFactory, log: pa.Table
) -> None:
    folder = tmp_path_factory.mktemp("gen")
    pq.write_table(log, folder / "gen.parquet")
    local = settings.model_copy(update={"data_dir": folder / "data"})
    import_files([folder / "gen.parquet"], settings=local)
    _check_against_pm4py(Store(local.data_dir))

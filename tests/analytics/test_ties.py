"""Ties: events of a case with equal times keep their order in the source file.

Ordering by timestamp alone invents directly-follows arcs and changes from run to run; the
store orders ties by import and source row, once, at import.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sujuva.analytics import flow
from sujuva.config import Settings
from sujuva.services.importing import import_files
from sujuva.store.store import Store
from tests.analytics.conftest import scoped


def _log_with_ties(events: int, zero_gap_share: float, seed: int) -> pa.Table:
    """Cases walking a fixed 10-step sequence; a share of steps happen in the same second as
    the step before (a batch closed at once), so time alone cannot order them."""
    rng = np.random.default_rng(seed)
    steps = np.arange(events) % 10
    case = np.arange(events) // 10
    gaps = rng.integers(60, 86_400, events)
    gaps[rng.random(events) < zero_gap_share] = 0
    gaps[steps == 0] = 0
    start = 1_483_228_800 + case * 600
    seconds = (
        start
        + np.cumsum(gaps)
        - np.repeat(np.cumsum(gaps)[steps == 0] - gaps[steps == 0], 10)[:events]
    )
    return pa.table(
        {
            "case_id": pa.array([f"c{c}" for c in case]),
            "activity": pa.array([f"Step {s}" for s in steps]),
            "timestamp": pa.array(seconds * 1_000_000, pa.timestamp("us", tz="UTC")),
        }
    )


def test_ties_keep_file_order_and_invent_no_arcs(settings: Settings, tmp_path: Path) -> None:
    log = _log_with_ties(100_000, 0.03, seed=11)
    pq.write_table(log, tmp_path / "ties.parquet")
    import_files([tmp_path / "ties.parquet"], path_name="ties", settings=settings)
    with scoped(Store(settings.data_dir)) as scope:
        arcs = flow.process_map(scope).arcs
    expected = {(f"Step {i}", f"Step {i + 1}") for i in range(9)}
    assert set(zip(arcs["source"], arcs["target"], strict=True)) == expected
    assert int(arcs["frequency"].sum()) == 100_000 - 10_000
    # the same file again, imported into a fresh store, gives exactly the same map
    again = settings.model_copy(update={"data_dir": tmp_path / "again"})
    import_files([tmp_path / "ties.parquet"], path_name="ties", settings=again)
    with scoped(Store(again.data_dir)) as scope:
        assert flow.process_map(scope).arcs.equals(arcs)

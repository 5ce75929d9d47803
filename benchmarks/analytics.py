"""Analytics benchmark: Sujuva's process-mining measures against pm4py's simplified API.

Both run on the same demo events: pm4py on a formatted pandas DataFrame (preparation not
timed), Sujuva on a store built from the same file (import not timed). Sujuva's figures are the
best of three warm runs; pm4py runs once per measure (it is the slow side). The floor is one
scan over the sorted columns that every measure reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo


def _best(run: Callable[[], object], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def _once(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def _store(parquet: Path, cache: Path) -> Path:
    from sujuva.config import override_settings
    from sujuva.services.importing import import_files
    from sujuva.store.build import SCHEMA_VERSION

    data_dir = cache / f"analytics-{parquet.stem}-v{SCHEMA_VERSION}"
    if not (data_dir / "CURRENT").exists():
        import_files([parquet], settings=override_settings(data_dir=data_dir))
    return data_dir


def _pm4py_frame(parquet: Path) -> Any:
    import pandas as pd
    import pm4py

    frame = pd.read_parquet(
        parquet, columns=["case_id", "activity", "timestamp", "start_timestamp", "actor"]
    )
    frame = frame.rename(columns={"actor": "org:group"})
    return pm4py.format_dataframe(
        frame, case_id="case_id", activity_key="activity", timestamp_key="timestamp"
    )


def run_analytics(parquet: Path, cache: Path, *, pm4py: bool) -> list[dict[str, Any]]:
    """Time each measure for Sujuva (and pm4py); return one row per measure."""
    from sujuva.analytics import cases, flow, lean
    from sujuva.analytics.scope import scope
    from sujuva.analytics.selection import Selection
    from sujuva.store.store import Store

    store = Store(_store(parquet, cache))
    with store.connect() as con:
        everything = scope(con, Selection(), zone=ZoneInfo("Europe/Helsinki"))
        one_path = scope(con, Selection(paths=("job_search",)), zone=ZoneInfo("Europe/Helsinki"))
        floor = _best(
            lambda: con.execute(
                "SELECT count(*), sum(activity_code), sum(next_activity_code), sum(actor_code), "
                "sum(next_actor_code), max(ts), max(next_ts), max(next_start_ts) FROM events"
            ).fetchall()
        )
        ours = {
            "directly-follows counts": lambda: everything.rows(
                "SELECT activity_code, next_activity_code, count(*) FROM sel_events "
                "WHERE next_activity_code IS NOT NULL GROUP BY ALL"
            ),
            "performance DFG (process map)": lambda: flow.process_map(everything),
            "variants": lambda: cases.variants(everything),
            "case durations": lambda: cases.case_durations(everything),
            "organisation hand-off matrix": lambda: cases.handoffs(everything),
            "lean summary of one path (job_search)": lambda: lean.lean_summary(one_path),
        }
        timings = {name: _best(run) for name, run in ours.items()}
        events = store.info().events
    rows = [
        {"measure": name, "events": events, "sujuva_s": s, "floor_s": floor, "x_floor": s / floor}
        for name, s in timings.items()
    ]
    if pm4py:
        _add_pm4py(rows, parquet)
    return rows


def _add_pm4py(rows: list[dict[str, Any]], parquet: Path) -> None:
    import pandas as pd
    import pm4py

    frame = _pm4py_frame(parquet)
    # a plain frame without pm4py's attrs: its case statistics trip over a start-time key
    plain = pd.DataFrame(
        {k: frame[k].to_numpy() for k in ("case:concept:name", "concept:name", "time:timestamp")}
    )
    theirs = {
        "directly-follows counts": lambda: pm4py.discover_dfg(frame),
        "performance DFG (process map)": lambda: pm4py.discover_performance_dfg(frame),
        "variants": lambda: pm4py.get_variants(frame),
        "case durations": lambda: pm4py.get_all_case_durations(plain),
        "organisation hand-off matrix": lambda: pm4py.discover_handover_of_work_network(
            frame, resource_key="org:group"
        ),
    }
    for row in rows:
        if row["measure"] not in theirs:
            continue
        seconds = _once(theirs[row["measure"]])
        row["pm4py_s"] = seconds
        row["x_pm4py"] = seconds / row["sujuva_s"]


def print_analytics(rows: list[dict[str, Any]]) -> None:
    """A table of the analytics figures."""
    print(f"\nAnalytics benchmark, {rows[0]['events']:,} events (warm, best of 3)")
    heads = ("sujuva s", "floor s", "x floor", "pm4py s", "x faster")
    print(f"{'measure':32} " + " ".join(f"{h:>9}" for h in heads))
    for r in rows:
        pm = f"{'-':>9} {'-':>9}"
        if "pm4py_s" in r:
            pm = f"{r['pm4py_s']:>9.2f} {r['x_pm4py']:>9.1f}"
        ours = f"{r['sujuva_s']:>9.3f} {r['floor_s']:>9.3f} {r['x_floor']:>9.1f}"
        print(f"{r['measure']:32} {ours} {pm}")

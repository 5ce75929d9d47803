"""Benchmarks, one command: ``python3 run.py bench [--events N] [--suite S] [--skip-pm4py]``.

Import of the demo region's events from Parquet and from CSV into a fresh store, measured in
fresh processes (time and peak memory), beside pm4py's own import (pandas + format_dataframe)
and the bare Arrow read of the same file (the I/O floor) in the same run. Results are printed
as a table and written to ``benchmarks/results/import.json``. ``--suite web`` serves the
dashboard over a demo region of 5 M events (or ``--events``) and times pages under load
(:mod:`benchmarks.web`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
RESULTS = HERE / "results"


def _prepare(events: int) -> dict[str, Path]:
    """Generate the demo events once per size and keep them as Parquet and CSV."""
    CACHE.mkdir(parents=True, exist_ok=True)
    parquet, csv = CACHE / f"demo-{events}.parquet", CACHE / f"demo-{events}.csv"
    if not parquet.exists() or not csv.exists():
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        from sujuva.demo import generate_region
        from sujuva.services.exporting import csv_ready

        started = time.perf_counter()
        region = generate_region(seed=2017, events=events)
        seconds = time.perf_counter() - started
        print(f"generated {region.events.num_rows:,} demo events in {seconds:.1f} s", flush=True)
        pq.write_table(region.events, parquet, compression="zstd")
        with pacsv.CSVWriter(csv, csv_ready(region.events.to_batches()[0]).schema) as writer:
            for batch in region.events.to_batches(max_chunksize=500_000):
                writer.write_batch(csv_ready(batch))
    return {"parquet": parquet, "csv": csv}


def _measure(task: str, source: Path, data_dir: Path | None = None) -> dict[str, Any]:
    if data_dir is not None and data_dir.exists():
        shutil.rmtree(data_dir)
    args = [sys.executable, "-m", "benchmarks.measure", task, str(source)]
    if data_dir is not None:
        args.append(str(data_dir))
    done = subprocess.run(
        args, cwd=HERE.parent, capture_output=True, text=True, check=False, env=os.environ.copy()
    )
    if done.returncode != 0:
        raise SystemExit(f"{task} on {source.name} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run_import(events: int, *, pm4py: bool) -> list[dict[str, Any]]:
    """Measure every import task on both formats; return rows of results."""
    files = _prepare(events)
    rows = []
    for fmt, source in files.items():
        store = CACHE / f"store-{fmt}"
        tasks = [("sujuva-import", store), ("arrow-read", None)] + (
            [("pm4py-import", None)] if pm4py else []
        )
        measured = {task: _measure(task, source, data_dir) for task, data_dir in tasks}
        ours = measured["sujuva-import"]
        row = {
            "format": fmt,
            "events": ours["rows"],
            "sujuva_s": ours["seconds"],
            "sujuva_events_per_s": ours["rows"] / ours["seconds"],
            "sujuva_peak_mib": ours["peak_mib"],
            "arrow_read_s": measured["arrow-read"]["seconds"],
        }
        if pm4py:
            theirs = measured["pm4py-import"]
            row |= {
                "pm4py_s": theirs["seconds"],
                "pm4py_peak_mib": theirs["peak_mib"],
                "speedup_vs_pm4py": theirs["seconds"] / ours["seconds"],
            }
        rows.append(row)
        shutil.rmtree(store, ignore_errors=True)
    return rows


COLUMNS = (
    ("format", "format", "{:8}"),
    ("events", "events", "{:>12,}"),
    ("sujuva s", "sujuva_s", "{:>9.2f}"),
    ("events/s", "sujuva_events_per_s", "{:>11,.0f}"),
    ("peak MiB", "sujuva_peak_mib", "{:>9.0f}"),
    ("arrow read s", "arrow_read_s", "{:>13.2f}"),
    ("pm4py s", "pm4py_s", "{:>8.2f}"),
    ("pm4py MiB", "pm4py_peak_mib", "{:>10.0f}"),
    ("x pm4py", "speedup_vs_pm4py", "{:>8.1f}"),
)


def _print(rows: list[dict[str, Any]]) -> None:
    print(f"\nImport benchmark ({os.cpu_count()} cores)")
    widths = [len(fmt.format(rows[0].get(key, 0.0) if rows else 0)) for _, key, fmt in COLUMNS]
    print(
        " ".join(f"{title:>{width}}" for (title, _, _), width in zip(COLUMNS, widths, strict=True))
    )
    for row in rows:
        cells = [
            fmt.format(row[key]) if key in row else f"{'-':>{width}}"
            for (_, key, fmt), width in zip(COLUMNS, widths, strict=True)
        ]
        print(" ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python3 run.py bench", description=__doc__)
    parser.add_argument(
        "--events",
        type=int,
        default=None,
        help="events in the demo log (default 10 M; 5 M for the web suite)",
    )
    parser.add_argument("--skip-pm4py", action="store_true", help="do not measure pm4py")
    parser.add_argument(
        "--suite",
        choices=("all", "import", "analytics", "linking", "web"),
        default="all",
        help="what to measure ('all' is import and analytics; 'web' runs alone)",
    )
    options = parser.parse_args()
    events = options.events or 10_000_000
    RESULTS.mkdir(exist_ok=True)
    if options.suite in ("all", "import"):
        rows = run_import(events, pm4py=not options.skip_pm4py)
        _print(rows)
        _save("import", rows)
    if options.suite in ("all", "analytics"):
        from benchmarks.analytics import print_analytics, run_analytics

        parquet = _prepare(events)["parquet"]
        found = run_analytics(parquet, CACHE, pm4py=not options.skip_pm4py)
        print_analytics(found)
        _save("analytics", found)
    if options.suite in ("all", "linking"):
        from benchmarks.linking import ratio_row, split_sources

        folder = CACHE / f"sources-{events}"
        split_sources(_prepare(events)["parquet"], folder)
        plain = _measure("sujuva-sources", folder, CACHE / "store-sources")
        linked = _measure("sujuva-link", folder, CACHE / "store-linked")
        row = ratio_row(plain, linked)
        print(
            f"\nLinking benchmark ({os.cpu_count()} cores): {row['events']:,} events from "
            f"{row['sources']} sources: plain import {row['plain_import_s']:.2f} s, linked "
            f"{row['linked_import_s']:.2f} s, ratio {row['linked_over_plain']:.2f} "
            f"(peak {row['plain_peak_mib']:.0f} / {row['linked_peak_mib']:.0f} MiB)"
        )
        _save("linking", [row])
        for store in ("store-sources", "store-linked"):
            shutil.rmtree(CACHE / store, ignore_errors=True)
    if options.suite == "web":
        from benchmarks.web import DEFAULT_EVENTS, run_web, save_web, table

        CACHE.mkdir(parents=True, exist_ok=True)
        measured = run_web(CACHE, options.events or DEFAULT_EVENTS)
        print("\n" + table(measured))
        print(f"\nwritten to {save_web(measured, RESULTS)}")


def _save(name: str, rows: list[dict[str, Any]]) -> None:
    payload = {"cores": os.cpu_count(), "rows": rows}
    (RESULTS / f"{name}-{rows[0]['events']}.json").write_text(json.dumps(payload, indent=2))


if __name__ == "__main__":
    main()

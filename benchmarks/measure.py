"""One measurement in a fresh process: ``python -m benchmarks.measure TASK FILE [DATA_DIR]``.

Prints one JSON line: seconds of wall time for the task and the process's peak RSS in MiB.
Run in its own process so that peak memory belongs to this task alone.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _sujuva_import(source: Path, data_dir: Path) -> int:
    from sujuva.config import override_settings
    from sujuva.services.importing import import_files

    settings = override_settings(data_dir=data_dir)
    report = import_files([source], settings=settings)
    return report.files[0].imported


def _sujuva_sources(folder: Path, data_dir: Path, *, linked: bool) -> int:
    """Import every Parquet source of a folder in one transaction: by their own case numbers,
    or linked by the shared key."""
    from sujuva.config import override_settings
    from sujuva.eventlog.mapping import ColumnMapping
    from sujuva.services.importing import import_files

    settings = override_settings(data_dir=data_dir)
    mapping = ColumnMapping(
        columns={"case_id": "own_case"},
        keys={"customer": "shared_key"} if linked else {},
    )
    if not linked:
        mapping = ColumnMapping(columns={"case_id": "own_case", "customer_id": "shared_key"})
    report = import_files(sorted(folder.glob("*.parquet")), mapping=mapping, settings=settings)
    return sum(f.imported for f in report.files)


def _pm4py_import(source: Path) -> int:
    import pandas as pd
    import pm4py

    frame = pd.read_parquet(source) if source.suffix == ".parquet" else pd.read_csv(source)
    frame = pm4py.format_dataframe(
        frame, case_id="case_id", activity_key="activity", timestamp_key="timestamp"
    )
    return len(frame)


def _arrow_read(source: Path) -> int:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pq.read_table(source) if source.suffix == ".parquet" else pacsv.read_csv(source)
    return table.num_rows


def main(argv: list[str]) -> None:
    task, source = argv[0], Path(argv[1])
    started = time.perf_counter()
    if task == "sujuva-import":
        rows = _sujuva_import(source, Path(argv[2]))
    elif task in ("sujuva-sources", "sujuva-link"):
        rows = _sujuva_sources(source, Path(argv[2]), linked=task == "sujuva-link")
    elif task == "pm4py-import":
        rows = _pm4py_import(source)
    elif task == "arrow-read":
        rows = _arrow_read(source)
    else:
        raise SystemExit(f"unknown task {task}")
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"task": task, "rows": rows, "seconds": seconds, "peak_mib": peak_mib}))


if __name__ == "__main__":
    main(sys.argv[1:])

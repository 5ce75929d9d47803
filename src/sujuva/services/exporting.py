"""Use case: export the stored event log as CSV, XES or Parquet."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sujuva.config import Settings, get_settings
from sujuva.errors import UsageError
from sujuva.eventlog import model
from sujuva.eventlog.sources import FORMATS
from sujuva.store.store import Store

_ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # Arrow prints the microseconds with %S


def export_log(out: Path, *, fmt: str | None = None, settings: Settings | None = None) -> int:
    """Write every stored event to ``out`` (format from ``fmt`` or the name); return the count.

    The file appears atomically: a crash leaves no half-written export under the final name.
    """
    settings = settings or get_settings()
    kind = fmt or _format_from_name(out)
    if kind not in FORMATS:
        raise UsageError(f"unknown export format {kind!r}; use one of {', '.join(FORMATS)}")
    store = Store(settings.data_dir, threads=settings.threads)
    tmp = out.with_name(out.name + ".tmp")
    batches = store.event_batches()
    try:
        if kind == "parquet":
            count = _write_parquet(batches, tmp)
        elif kind == "csv":
            count = _write_csv(batches, tmp)
        else:
            from sujuva.eventlog.xes import write_xes

            count = write_xes(batches, tmp, gzip=out.name.lower().endswith(".gz"))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def _format_from_name(out: Path) -> str:
    name = out.name.lower()
    for suffix, kind in (
        (".csv", "csv"),
        (".xes", "xes"),
        (".xes.gz", "xes"),
        (".parquet", "parquet"),
    ):
        if name.endswith(suffix):
            return kind
    raise UsageError(f"{out}: cannot tell the format from the name; give --format csv|xes|parquet")


def _write_parquet(batches: Iterator[pa.RecordBatch], path: Path) -> int:
    count = 0
    writer: pq.ParquetWriter | None = None
    try:
        for batch in batches:
            if writer is None:
                writer = pq.ParquetWriter(path, batch.schema, compression="zstd")
            writer.write_batch(batch)
            count += batch.num_rows
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        pq.write_table(pa.table({}), path)
    return count


def csv_ready(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Timestamps as ISO 8601 UTC text (``2017-04-12T05:56:00.000000Z``) for CSV."""
    arrays = []
    for field, column in zip(batch.schema, batch.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            column = pc.strftime(pc.cast(column, model.TIME_TYPE), format=_ISO_FORMAT)
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _write_csv(batches: Iterator[pa.RecordBatch], path: Path) -> int:
    count = 0
    writer: pacsv.CSVWriter | None = None
    try:
        for batch in batches:
            ready = csv_ready(batch)
            if writer is None:
                writer = pacsv.CSVWriter(path, ready.schema)
            writer.write_batch(ready)
            count += batch.num_rows
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        path.write_text(",".join(model.CORE_COLUMNS) + "\n", encoding="utf-8")
    return count

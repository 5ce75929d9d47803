"""Use case: export the stored event log as CSV, XES or Parquet."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from sujuva.config import Settings, get_settings
from sujuva.errors import NotFoundError, UsageError
from sujuva.eventlog import model
from sujuva.eventlog.sources import EXPORT_FORMATS as FORMATS
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
    if not out.parent.is_dir():
        raise NotFoundError(f"cannot write {out}: the folder {out.parent} does not exist")
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
    return _write_stream(
        batches,
        open_writer=lambda schema: pq.ParquetWriter(path, schema, compression="zstd"),
        prepare=lambda batch: batch,
        write_empty=lambda: pq.write_table(pa.table({}), path),
    )


def csv_ready(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Timestamps as ISO 8601 UTC text (``2017-04-12T05:56:00.000000Z``) for CSV."""
    arrays = []
    for field, column in zip(batch.schema, batch.columns, strict=True):
        if pa.types.is_timestamp(field.type):
            column = pc.strftime(pc.cast(column, model.TIME_TYPE), format=_ISO_FORMAT)
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)


def _write_csv(batches: Iterator[pa.RecordBatch], path: Path) -> int:
    return _write_stream(
        batches,
        open_writer=lambda schema: pacsv.CSVWriter(path, schema),
        prepare=csv_ready,
        write_empty=lambda: path.write_text(",".join(model.CORE_COLUMNS) + "\n", encoding="utf-8"),
    )


class _BatchWriter(Protocol):
    def write_batch(self, batch: pa.RecordBatch) -> None: ...

    def close(self) -> None: ...


def _write_stream(
    batches: Iterator[pa.RecordBatch],
    *,
    open_writer: Callable[[pa.Schema], _BatchWriter],
    prepare: Callable[[pa.RecordBatch], pa.RecordBatch],
    write_empty: Callable[[], object],
) -> int:
    """Write batches one by one with a writer opened on the first; return the row count."""
    count = 0
    writer: _BatchWriter | None = None
    try:
        for batch in batches:
            ready = prepare(batch)
            if writer is None:
                writer = open_writer(ready.schema)
            writer.write_batch(ready)
            count += batch.num_rows
    finally:
        if writer is not None:
            writer.close()
    if writer is None:
        write_empty()
    return count

"""One interface over the four readers: open a file, get raw batches, locate rows.

A :class:`Source` yields raw Arrow batches (source column names, ``_row`` and any location
columns) and turns row locations into text such as ``line 12``, ``row 12``,
``sheet 'Data', row 12`` or ``trace 3, event 2`` for error reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sujuva.errors import InputError, NotFoundError, Problem, UsageError
from sujuva.eventlog import model
from sujuva.eventlog.csv_reader import CsvSource, open_csv
from sujuva.eventlog.excel_reader import ExcelSource, open_excel
from sujuva.eventlog.mapping import ColumnMapping

FORMATS: Final = ("csv", "xes", "parquet", "excel")
#: The formats an export can write (Excel is read only).
EXPORT_FORMATS: Final = ("csv", "xes", "parquet")
_SUFFIXES: Final = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xes": "xes",
    ".gz": "xes",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".ods": "excel",
}


class Source(Protocol):
    """A readable event-log file."""

    @property
    def display_name(self) -> str: ...

    @property
    def format(self) -> str: ...

    def batches(self) -> Iterator[pa.RecordBatch]: ...

    def locate(self, rejected: pa.Table) -> list[str]: ...

    def extra_problems(self) -> list[Problem]: ...

    def describe(self) -> dict[str, str]: ...


def file_stem(path: Path) -> str:
    """The file's name without the suffixes that tell its format (``te.xes.gz`` → ``te``)."""
    name = path.name
    for suffix in (".gz", *_SUFFIXES):
        name = name.removesuffix(suffix)
    return name or path.name


def detect_format(path: Path, given: str | None = None) -> str:
    """The file's format: as given, else by its name (``.csv``, ``.xes(.gz)``, ``.parquet``,
    ``.xlsx`` / ``.xlsm`` / ``.xls`` / ``.ods``)."""
    if given is not None:
        if given not in FORMATS:
            raise UsageError(f"unknown format {given!r}; use one of {', '.join(FORMATS)}")
        return given
    name = path.name.lower()
    if name.endswith(".xes.gz"):
        return "xes"
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None or (path.suffix.lower() == ".gz"):
        raise UsageError(
            f"{path}: cannot tell the format from the name; give --format csv|xes|parquet|excel"
        )
    return fmt


def open_source(path: Path, *, fmt: str | None, mapping: ColumnMapping) -> Source:
    """Open an event-log file for reading; a missing file is a NotFoundError."""
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; name the files in it to import")
    if not path.is_file():
        raise NotFoundError(f"{path}: no such file")
    kind = detect_format(path, fmt)
    if kind == "csv":
        return _CsvFile(
            open_csv(
                path, display_name=path.name, encoding=mapping.encoding, delimiter=mapping.delimiter
            )
        )
    if kind == "parquet":
        return _ParquetFile(path)
    if kind == "excel":
        return _ExcelFile(open_excel(path, display_name=path.name, sheet=mapping.sheet))
    return _XesFile(path)


@dataclass
class _CsvFile:
    source: CsvSource
    format: str = "csv"

    @property
    def display_name(self) -> str:
        return self.source.display_name

    def batches(self) -> Iterator[pa.RecordBatch]:
        return self.source.batches()

    def locate(self, rejected: pa.Table) -> list[str]:
        rows = rejected[model.ROW].to_numpy(zero_copy_only=False)
        return [f"line {line}" for line in self.source.lines(rows).tolist()]

    def extra_problems(self) -> list[Problem]:
        return self.source.wrong_width_rows()

    def describe(self) -> dict[str, str]:
        layout = self.source.layout
        return {"encoding": layout.encoding, "delimiter": layout.delimiter}


@dataclass
class _ExcelFile:
    source: ExcelSource
    format: str = "excel"

    @property
    def display_name(self) -> str:
        return self.source.display_name

    def batches(self) -> Iterator[pa.RecordBatch]:
        return self.source.batches()

    def locate(self, rejected: pa.Table) -> list[str]:
        return self.source.locate(rejected[model.ROW].to_numpy(zero_copy_only=False))

    def extra_problems(self) -> list[Problem]:
        return self.source.stray_values()

    def describe(self) -> dict[str, str]:
        return {"sheet": self.source.sheet}


@dataclass
class _ParquetFile:
    path: Path
    format: str = "parquet"

    @property
    def display_name(self) -> str:
        return self.path.name

    def batches(self) -> Iterator[pa.RecordBatch]:
        try:
            handle = pq.ParquetFile(self.path)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(
                f"{self.display_name}: not a readable Parquet file: {exc}",
                [Problem(self.display_name, "", "", f"not a Parquet file: {exc}")],
            ) from exc
        offset = 0
        try:
            for batch in handle.iter_batches(batch_size=262_144):
                rows = pa.array(np.arange(offset, offset + batch.num_rows, dtype=np.int64))
                offset += batch.num_rows
                yield batch.append_column(model.ROW, rows)
        except (pa.ArrowInvalid, OSError) as exc:
            raise InputError(
                f"{self.display_name}: the Parquet file is damaged near row {offset + 1}: {exc}"
            ) from exc

    def locate(self, rejected: pa.Table) -> list[str]:
        return [f"row {row + 1}" for row in rejected[model.ROW].to_pylist()]

    def extra_problems(self) -> list[Problem]:
        return []

    def describe(self) -> dict[str, str]:
        return {}


@dataclass
class _XesFile:
    path: Path
    format: str = "xes"

    @property
    def display_name(self) -> str:
        return self.path.name

    def batches(self) -> Iterator[pa.RecordBatch]:
        from sujuva.eventlog.xes import iter_xes_batches

        return iter_xes_batches(self.path, display_name=self.display_name)

    def locate(self, rejected: pa.Table) -> list[str]:
        traces = rejected[model.TRACE].to_pylist()
        events = rejected[model.EVENT].to_pylist()
        cases = (
            rejected[model.CASE_ID].to_pylist()
            if model.CASE_ID in rejected.column_names
            else [None] * len(traces)
        )
        return [
            f"trace {t}" + (f" (case {c!r})" if c else "") + f", event {e}"
            for t, e, c in zip(traces, events, cases, strict=True)
        ]

    def extra_problems(self) -> list[Problem]:
        return []

    def describe(self) -> dict[str, str]:
        return {}

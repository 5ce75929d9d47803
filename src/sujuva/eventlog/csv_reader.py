"""Streaming CSV reader for exports from Excel (Finnish locale), databases and process-mining tools.

Detects the encoding (UTF-8 with or without BOM, else cp1252), sniffs the delimiter (``,`` ``;``
tab ``|``), reads every column as text in blocks with Arrow (so a large file never sits in memory
whole) and tells the physical line of any row on request, also when quoted values contain line
breaks, lines are blank or rows have the wrong number of fields.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from sujuva.errors import InputError, Problem
from sujuva.eventlog.model import ROW

_CHUNK: Final = 8 << 20
BLOCK_SIZE: Final = 16 << 20
DELIMITERS: Final = ",;\t|"
_BOM: Final = codecs.BOM_UTF8


@dataclass
class CsvLayout:
    """What the pre-scan learned about a CSV file."""

    encoding: str
    delimiter: str
    header: list[str]
    has_blank_lines: bool
    decimal_comma: bool


@dataclass
class CsvSource:
    """A CSV file being read; after reading, :meth:`lines` maps data-row ordinals to lines."""

    path: Path
    display_name: str
    layout: CsvLayout
    invalid_rows: list[tuple[int, int]] = field(default_factory=list)
    irregular: bool = False
    _line_of_row: np.ndarray | None = None
    _invalid_lines: list[tuple[int, int, int]] | None = None

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Yield the data rows as string columns plus ``_row`` (0-based data-row ordinal)."""
        yield from _read_batches(self)

    def lines(self, rows: np.ndarray) -> np.ndarray:
        """Physical 1-based line numbers where the given data rows start."""
        if not self.irregular and not self.layout.has_blank_lines:
            return rows.astype(np.int64) + 2
        if self._line_of_row is None:
            self._scan_records()
        assert self._line_of_row is not None
        return np.asarray(self._line_of_row[rows], dtype=np.int64)

    def wrong_width_rows(self) -> list[Problem]:
        """Rows skipped because they had too many or too few fields, with their lines."""
        if not self.invalid_rows:
            return []
        if self._invalid_lines is None:
            self._scan_records()
        assert self._invalid_lines is not None
        return [
            Problem(
                self.display_name,
                f"line {line}",
                "",
                f"expected {expected} fields, found {actual}",
            )
            for line, expected, actual in self._invalid_lines
        ]

    def _scan_records(self) -> None:
        """Second pass with the csv module: the start line of every record."""
        width = len(self.layout.header)
        good: list[int] = []
        bad: list[tuple[int, int, int]] = []
        with open(self.path, encoding=self.layout.encoding, newline="") as handle:
            reader = csv.reader(handle, delimiter=self.layout.delimiter)
            last = 0
            for record in reader:
                start, last = last + 1, reader.line_num
                if not record:
                    continue
                if len(record) == width:
                    good.append(start)
                else:
                    bad.append((start, width, len(record)))
        self._line_of_row = np.asarray(good[1:], dtype=np.int64)
        self._invalid_lines = bad


def open_csv(
    path: Path,
    *,
    display_name: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> CsvSource:
    """Pre-scan a CSV file (encoding, delimiter, header) and return a source to read from."""
    name = display_name or path.name
    chosen_encoding, blank_lines = _detect_encoding(path, name, encoding)
    sample = _sample(path, chosen_encoding)
    if not sample.strip():
        raise InputError(f"{name}: the file is empty", [Problem(name, "line 1", "", "empty file")])
    chosen_delimiter = delimiter or _sniff_delimiter(sample)
    header = _header(sample, chosen_delimiter, name)
    layout = CsvLayout(
        encoding=chosen_encoding,
        delimiter=chosen_delimiter,
        header=header,
        has_blank_lines=blank_lines,
        decimal_comma=chosen_delimiter != ",",
    )
    return CsvSource(path=path, display_name=name, layout=layout)


def _detect_encoding(path: Path, name: str, encoding: str | None) -> tuple[str, bool]:
    """Choose the encoding: as given, UTF-8 (BOM or valid bytes) or else cp1252. Also tell
    whether the file has blank lines. Invalid bytes are an error naming line and column."""
    with open(path, "rb") as handle:
        has_bom = handle.read(3) == _BOM
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError as exc:
            raise InputError(f"{name}: unknown encoding {encoding!r}") from exc
    candidates = [encoding] if encoding else (["utf-8-sig"] if has_bom else ["utf-8-sig", "cp1252"])
    failure: Problem | None = None
    for candidate in candidates:
        failure, blank = _validate(path, name, candidate)
        if failure is None:
            return candidate, blank
    assert failure is not None
    raise InputError(f"{name}: {failure.reason} at {failure.location}", [failure])


def _validate(path: Path, name: str, encoding: str) -> tuple[Problem | None, bool]:
    skip = len(_BOM) if encoding == "utf-8-sig" else 0
    decoder = codecs.getincrementaldecoder("utf-8" if skip else encoding)(errors="strict")
    newlines = 0
    blank = False
    tail = b""
    with open(path, "rb") as handle:
        handle.seek(skip)
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return _decode_problem(name, encoding, newlines, tail, chunk, exc), blank
            window = tail + chunk
            blank = blank or b"\n\n" in window or b"\n\r\n" in window
            newlines += chunk.count(b"\n")
            tail = chunk[-2:]
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return Problem(
                name, f"line {newlines + 1}", "", "the file ends inside a character"
            ), blank
    return None, blank


def _decode_problem(
    name: str, encoding: str, newlines: int, tail: bytes, chunk: bytes, exc: UnicodeDecodeError
) -> Problem:
    """Locate an undecodable byte: line and byte position within the line (1-based).

    A character split across two chunks is reported at the chunk boundary, close enough.
    """
    offset = max(exc.start, 0)
    line = newlines + chunk.count(b"\n", 0, offset) + 1
    line_start = chunk.rfind(b"\n", 0, offset) + 1
    column = offset - line_start + 1
    byte = chunk[offset : offset + 1].hex()
    label = "UTF-8" if encoding.startswith("utf") else encoding
    return Problem(
        name,
        f"line {line}, byte {column}",
        "",
        f"byte 0x{byte} is not valid {label}; save the file as UTF-8 or give --encoding",
    )


def _sample(path: Path, encoding: str) -> str:
    with open(path, "rb") as handle:
        raw = handle.read(1 << 16)
    return raw.decode(encoding, errors="ignore")


def _sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the first lines into the most consistent number of fields.

    Each candidate is tried with a quote-aware parser; a candidate scores by the share of rows
    whose field count equals the header's (more than one field), then by that field count.
    """
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut the last line short
    text = "".join(lines[:200])
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:] or rows
        score = (sum(len(row) == width for row in body) / len(body), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _header(sample: str, delimiter: str, name: str) -> list[str]:
    reader = csv.reader(io.StringIO(sample), delimiter=delimiter)
    header = next((row for row in reader if row), [])
    header = [column.strip() for column in header]
    for index, column in enumerate(header, start=1):
        if not column:
            raise InputError(
                f"{name}: column {index} of the header has no name",
                [Problem(name, "header", f"#{index}", "column without a name")],
            )
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise InputError(
                f"{name}: the header names column {column!r} twice",
                [Problem(name, "header", column, "duplicate column name")],
            )
        seen.add(column)
    return header


def _read_batches(source: CsvSource) -> Iterator[pa.RecordBatch]:
    layout = source.layout

    def on_invalid(row: pacsv.InvalidRow) -> str:
        source.invalid_rows.append((row.expected_columns, row.actual_columns))
        source.irregular = True
        return "skip"

    try:
        reader = pacsv.open_csv(
            source.path,
            read_options=pacsv.ReadOptions(
                block_size=BLOCK_SIZE,
                encoding="utf8" if layout.encoding.startswith("utf") else layout.encoding,
                column_names=layout.header,
                skip_rows=1,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=layout.delimiter,
                newlines_in_values=True,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(layout.header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        yield from _numbered(source, reader)
    except pa.ArrowInvalid as exc:
        raise InputError(
            f"{source.display_name}: cannot parse as CSV: {_arrow_reason(exc)}"
        ) from exc


def _numbered(source: CsvSource, reader: pacsv.CSVStreamingReader) -> Iterator[pa.RecordBatch]:
    offset = 0
    for batch in reader:
        if batch.num_rows == 0:
            continue
        if not source.irregular and _has_newlines(batch):
            source.irregular = True
        rows = pa.array(np.arange(offset, offset + batch.num_rows, dtype=np.int64))
        offset += batch.num_rows
        yield batch.append_column(ROW, rows)


def _has_newlines(batch: pa.RecordBatch) -> bool:
    """Whether any value holds a line break (then rows and lines no longer match one to one)."""
    for column in batch.columns:
        data = column.buffers()[2]
        if data is not None and bool((np.frombuffer(data, dtype=np.uint8) == 10).any()):
            return True
    return False


def _arrow_reason(exc: Exception) -> str:
    text = str(exc)
    if "straddling" in text:
        return f"a row is longer than the {BLOCK_SIZE >> 20} MiB block size"
    return text.split("\n")[0]

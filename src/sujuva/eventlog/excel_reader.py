"""Excel and OpenDocument workbooks (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``) read as text.

One sheet is read (by name, by 1-based number, or the first). Its first non-empty row names the
columns; every cell becomes text exactly as the CSV reader's batches hold it, so the rest of the
import treats a sheet like a CSV file: strings trimmed, a date and time as
``YYYY-MM-DD HH:MM:SS`` (naive: a local time), a date as ``YYYY-MM-DD``, a time of day as
``HH:MM:SS``, a whole number without a decimal point (case numbers live in such cells), other
numbers in their shortest form, ``true`` / ``false``, an empty cell as null.

Rows are located as ``sheet 'NAME', row N`` with N the spreadsheet's own 1-based row number
(empty rows are skipped but keep their numbers). calamine reads a sheet whole, so a sheet is
held in memory while it is read; it is handed on in batches of at most :data:`BATCH_ROWS` rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import python_calamine as calamine

from sujuva.errors import InputError, Problem
from sujuva.eventlog.model import ROW

SUFFIXES: Final = (".xlsx", ".xlsm", ".xls", ".ods")
BATCH_ROWS: Final = 100_000

#: A cell as calamine gives it ("" for an empty cell).
Cell = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta
#: How many rows below the header decide the leftmost column of the table.
_LOOKAHEAD: Final = 100
_NO_ROW: Final[list[Cell]] = []


@dataclass
class ExcelSource:
    """One sheet of a workbook being read; after reading, :meth:`locate` names the rows."""

    path: Path
    display_name: str
    sheet: str
    header: list[str]
    header_row: int
    first_column: int
    _cells: list[list[Cell]] | None = None
    _row_numbers: list[int] = field(default_factory=list)
    _stray: list[Problem] = field(default_factory=list)

    def batches(self) -> Iterator[pa.RecordBatch]:
        """Yield the data rows as string columns plus ``_row`` (0-based data-row ordinal)."""
        cells = self._cells if self._cells is not None else self._reload()
        self._cells = None  # rows are released as they are converted
        self._row_numbers, self._stray = [], []
        end = self.first_column + len(self.header)
        pending: list[list[str | None]] = []
        for index in range(self.header_row + 1, len(cells)):
            row, cells[index] = cells[index], _NO_ROW
            if self._has_stray_value(row, index, end):
                continue
            values = [_text(cell) for cell in row[self.first_column : end]]
            if all(value is None for value in values):
                continue
            values.extend([None] * (len(self.header) - len(values)))
            pending.append(values)
            self._row_numbers.append(index + 1)
            if len(pending) == BATCH_ROWS:
                yield self._batch(pending)
                pending = []
        if pending:
            yield self._batch(pending)

    def location(self, row_number: int) -> str:
        """``sheet 'NAME', row N`` for a 1-based spreadsheet row number."""
        return f"sheet '{self.sheet}', row {row_number}"

    def locate(self, ordinals: Sequence[int] | np.ndarray) -> list[str]:
        """Locations of data rows given by their ordinals (the ``_row`` values read)."""
        numbers = np.asarray(self._row_numbers, dtype=np.int64)[np.asarray(ordinals, np.int64)]
        return [self.location(number) for number in numbers.tolist()]

    def stray_values(self) -> list[Problem]:
        """Rows skipped because they have a value in a column without a name."""
        return list(self._stray)

    def _batch(self, rows: list[list[str | None]]) -> pa.RecordBatch:
        first = len(self._row_numbers) - len(rows)
        arrays = [pa.array(column, pa.string()) for column in zip(*rows, strict=True)]
        arrays.append(pa.array(np.arange(first, first + len(rows), dtype=np.int64)))
        return pa.RecordBatch.from_arrays(arrays, names=[*self.header, ROW])

    def _has_stray_value(self, row: list[Cell], index: int, end: int) -> bool:
        for column in (*range(min(self.first_column, len(row))), *range(end, len(row))):
            cell = row[column]
            if not _is_empty(cell):
                letter = column_letter(column)
                self._stray.append(
                    Problem(
                        self.display_name,
                        self.location(index + 1),
                        letter,
                        f"a value in column {letter}, which has no column name in row "
                        f"{self.header_row + 1}; name the column or clear the cell",
                        _text(cell) or "",
                    )
                )
                return True
        return False

    def _reload(self) -> list[list[Cell]]:
        with _open_workbook(self.path, self.display_name) as workbook:
            return _read_sheet(workbook, self.sheet, self.display_name)


def open_excel(
    path: Path, *, display_name: str | None = None, sheet: str | None = None
) -> ExcelSource:
    """Open a workbook, choose the sheet and read its header row.

    ``sheet`` is a sheet name or a 1-based number (``"2"``); by default the first sheet. An
    unreadable file, an unknown sheet, an empty sheet or a first row that holds data rather
    than column names is an :class:`InputError` naming the file, sheet and row.
    """
    name = display_name or path.name
    with _open_workbook(path, name) as workbook:
        chosen = _choose_sheet(workbook.sheet_names, sheet, name)
        cells = _read_sheet(workbook, chosen, name)
    header_row = next((i for i, row in enumerate(cells) if not all(map(_is_empty, row))), None)
    if header_row is None:
        where = f"sheet '{chosen}'"
        raise InputError(
            f"{name}: {where} has no rows", [Problem(name, where, "", "the sheet has no rows")]
        )
    first_column = _first_column(cells, header_row)
    location = f"sheet '{chosen}', row {header_row + 1}"
    return ExcelSource(
        path=path,
        display_name=name,
        sheet=chosen,
        header=_header(cells[header_row], first_column, name=name, location=location),
        header_row=header_row,
        first_column=first_column,
        _cells=cells,
    )


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index: 0 → ``A``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _open_workbook(path: Path, name: str) -> calamine.CalamineWorkbook:
    """The workbook, by its name's format or else by its content; unreadable is an InputError."""
    try:
        try:
            return calamine.CalamineWorkbook.from_path(path)
        except calamine.PasswordError:
            raise
        except calamine.CalamineError as by_name:
            try:
                with open(path, "rb") as handle:
                    return calamine.CalamineWorkbook.from_filelike(handle)
            except calamine.CalamineError:
                raise by_name from None
    except calamine.PasswordError as exc:
        raise _unreadable(name, "it is protected with a password; save a copy without one") from exc
    except OSError as exc:
        raise InputError(f"{name}: cannot read the file: {exc}") from exc
    except Exception as exc:  # a foreign parser: any failure means an unreadable file
        raise _unreadable(name, _guess(path, str(exc))) from exc
    except BaseException as exc:  # a Rust panic (pyo3 PanicException) is a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        raise _unreadable(name, _guess(path, "the parser failed")) from exc


def _read_sheet(workbook: calamine.CalamineWorkbook, sheet: str, name: str) -> list[list[Cell]]:
    """Every row of the sheet from A1 on (so indices are the spreadsheet's own positions)."""
    try:
        rows: list[list[Cell]] = list(
            workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        )
    except Exception as exc:
        raise _unreadable(name, f"sheet '{sheet}' cannot be read: {exc}") from exc
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise _unreadable(name, f"sheet '{sheet}' cannot be read") from exc
    return rows


def _unreadable(name: str, reason: str) -> InputError:
    text = f"not a readable Excel/OpenDocument file: {reason}"
    return InputError(f"{name}: {text}", [Problem(name, "", "", text)])


def _guess(path: Path, detail: str) -> str:
    """Why a file is not a readable workbook, guessed in plain words from its first bytes."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return detail
    if not head:
        return "the file is empty"
    if head.startswith(b"\xd0\xcf\x11\xe0") and path.suffix.lower() in (".xlsx", ".xlsm"):
        return "it is encrypted (protected with a password); save a copy without one"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text[:1] == b"<":
        return (
            "it holds HTML or XML (some systems save web tables with an Excel name); open it "
            "in a spreadsheet program and save it as .xlsx"
        )
    if head.startswith(b"PK"):
        return f"the file is damaged or incomplete ({detail})"
    if not any(byte < 9 or 13 < byte < 32 for byte in head):
        return "it is a text file; if it is CSV, give it a .csv name or use --format csv"
    return detail


def _choose_sheet(names: list[str], wanted: str | None, name: str) -> str:
    """The sheet by name, else by 1-based number; by default the first one."""
    if not names:
        raise InputError(
            f"{name}: the workbook has no sheets",
            [Problem(name, "", "", "the workbook has no sheets")],
        )
    if wanted is None:
        return names[0]
    wanted = wanted.strip()
    if wanted in names:
        return wanted
    if wanted.isdigit() and 1 <= int(wanted) <= len(names):
        return names[int(wanted) - 1]
    listed = ", ".join(f"'{sheet}'" for sheet in names)
    what = f"no sheet number {wanted}" if wanted.isdigit() else f"no sheet named '{wanted}'"
    reason = f"{what}; the workbook has {len(names)} sheet(s): {listed}"
    raise InputError(f"{name}: {reason}", [Problem(name, "", "", reason)])


def _first_column(cells: list[list[Cell]], header_row: int) -> int:
    """The leftmost column holding a value in the header row or the rows just below it."""
    first = len(cells[header_row])
    for row in cells[header_row : header_row + _LOOKAHEAD]:
        for column in range(min(first, len(row))):
            if not _is_empty(row[column]):
                first = column
                break
        if first == 0:
            break
    return first


def _header(row: list[Cell], first_column: int, *, name: str, location: str) -> list[str]:
    """Column names from the header row; a row that looks like data is an error."""
    filled = [c for c in range(len(row)) if not _is_empty(row[c])]
    span = range(first_column, filled[-1] + 1)
    evidence = next(
        (f"{kind} in column {column_letter(c)}" for c in span if (kind := _kind(row[c]))), None
    )
    if evidence is None:
        evidence = next(
            (
                f"column {column_letter(c)} is empty while later columns are filled"
                for c in span
                if _is_empty(row[c])
            ),
            None,
        )
    if evidence is not None:
        reason = (
            f"the first row holds data, not column names ({evidence}); "
            "add a header row with the column names"
        )
        raise InputError(f"{name}: {location}: {reason}", [Problem(name, location, "", reason)])
    names = [str(row[c]).strip() for c in span]
    seen: dict[str, int] = {}
    for offset, column in enumerate(names):
        if column in seen:
            letters = f"{column_letter(seen[column])} and {column_letter(span[offset])}"
            reason = f"duplicate column name (columns {letters})"
            raise InputError(
                f"{name}: {location} names column {column!r} twice ({letters})",
                [Problem(name, location, column, reason)],
            )
        seen[column] = span[offset]
    return names


def _is_empty(cell: Cell) -> bool:
    return isinstance(cell, str) and not cell.strip()


def _kind(cell: Cell) -> str | None:
    """What a non-text cell holds, in words; None for text and empty cells."""
    if isinstance(cell, str):
        return None
    if isinstance(cell, bool):
        return "a true/false value"
    if isinstance(cell, dt.datetime):
        return "a date and time"
    if isinstance(cell, dt.date):
        return "a date"
    if isinstance(cell, dt.time):
        return "a time"
    if isinstance(cell, dt.timedelta):
        return "a duration"
    return "a number"


def _text(cell: Cell) -> str | None:
    """A cell as the text a CSV export of it would hold; None for an empty cell."""
    if isinstance(cell, str):
        return cell.strip() or None
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ", timespec="microseconds" if cell.microsecond else "seconds")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, dt.time):
        return cell.isoformat(timespec="microseconds" if cell.microsecond else "seconds")
    seconds = round(cell.total_seconds())
    hours, rest = divmod(abs(seconds), 3600)
    return f"{'-' if seconds < 0 else ''}{hours}:{rest // 60:02d}:{rest % 60:02d}"

"""The small CSV layer shared by the impact readers (IO tables and job records).

Files come from spreadsheets: UTF-8 with or without a byte-order mark, separated by commas,
semicolons or tabs (a Finnish Excel writes semicolons and decimal commas). Every problem is
located by file, line and column, and all of them are reported at once so a user can fix a
file in one go; nothing is imported while any problem remains (all-or-nothing).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sujuva.errors import Problem, UsageError

#: How many problems a message lists before saying how many more there are.
SHOWN_PROBLEMS = 20


@dataclass(frozen=True)
class CsvRows:
    """A parsed file: ``header`` cells (stripped) found on ``header_line``, data ``rows`` as
    (line number, cells), and whether numbers use a decimal comma (files separated by
    semicolons or tabs)."""

    name: str
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]
    decimal_comma: bool


def read_csv(path: str | Path) -> CsvRows:
    """Rows of the CSV file at ``path``; blank lines are skipped.

    Raises :class:`UsageError` when the file is missing, unreadable, not UTF-8 or empty.
    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{file}: file not found") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{file}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise UsageError(f"{file}: cannot be read ({exc.strerror})") from None
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise UsageError(f"{file}: the file is empty; a header row is needed")
    delimiter = max((";", "\t", ","), key=first.count)
    reader = csv.reader(lines, delimiter=delimiter)
    header: list[str] | None = None
    header_line = 1
    rows: list[tuple[int, list[str]]] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip() for cell in cells]
            header_line = reader.line_num
        else:
            rows.append((reader.line_num, [cell.strip() for cell in cells]))
    assert header is not None  # the first non-blank line exists
    return CsvRows(
        name=str(file),
        header=header,
        header_line=header_line,
        rows=rows,
        decimal_comma=delimiter != ",",
    )


def parse_number(text: str, *, decimal_comma: bool) -> float:
    """A number from a cell: spaces as thousands separators, a decimal comma when allowed.

    Raises ``ValueError`` with a human reason when the cell is empty or not a finite number.
    """
    cleaned = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if decimal_comma:
        cleaned = cleaned.replace(",", ".")
    if not cleaned:
        raise ValueError("empty; a number is needed")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError("not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return value


def problems_error(name: str, problems: list[Problem]) -> UsageError:
    """One :class:`UsageError` listing the located ``problems`` of file ``name``."""
    shown = "\n".join(f"- {problem}" for problem in problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    tail = f"\n- … and {more} more" if more > 0 else ""
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return UsageError(f"{name}: {count}; nothing was imported:\n{shown}{tail}")

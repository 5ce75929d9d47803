"""Reading an input–output table from a CSV file.

Layout (commas, or semicolons with decimal commas)::

    sector,      agriculture, industry, households, total_output, employment, final_demand
    agriculture, 150,         500,      90,         1000,         10,         350
    industry,    200,         100,      300,        2000,         20,         1700
    households,  300,         500,      0,          1000,         ,

- The first column names the selling sector of each row (its header cell is free text); the
  other header cells name the buying sectors, in any order, plus the extra columns
  ``total_output`` (required), ``employment`` and ``final_demand`` (optional).
- Every sector column needs a row of the same name (rows may be in any order).
- An optional ``households`` column (household purchases from each sector) and ``households``
  row (labour income paid by each sector; its ``total_output`` is total household income) close
  the model for Type II multipliers; give both or neither. The households row leaves
  ``employment`` and ``final_demand`` empty.

Every problem names the file, line and column; nothing is returned while any remains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sujuva.errors import Problem, UsageError
from sujuva.impact.csvfile import CsvRows, parse_number, problems_error, read_csv
from sujuva.impact.io import IoTable

HOUSEHOLDS = "households"
EXTRAS = ("total_output", "employment", "final_demand")


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


@dataclass
class _Reading:
    """Work in progress: the header's meaning, values read so far and problems found."""

    csv: CsvRows
    sectors: list[str]
    columns: dict[str, int]
    problems: list[Problem] = field(default_factory=list)
    values: dict[str, dict[str, float]] = field(default_factory=dict)

    def problem(self, line: int, column: str, reason: str, value: str = "") -> None:
        self.problems.append(Problem(self.csv.name, f"line {line}", column, reason, value))


def read_io_table(path: str | Path, *, euro_per_unit: float = 1.0) -> IoTable:
    """The input–output table in the CSV file at ``path`` (layout in the module docstring).

    ``euro_per_unit`` says what one unit of the table is worth in euros (``1e6`` for M€).
    Raises :class:`UsageError` listing every problem with its file, line and column.
    """
    reading = _header(read_csv(path))
    seen: dict[str, int] = {}
    for line, cells in reading.csv.rows:
        _row(reading, line, cells, seen)
    for sector in [*reading.sectors, *([HOUSEHOLDS] if HOUSEHOLDS in reading.columns else [])]:
        if sector not in seen:
            reading.problem(
                reading.csv.header_line, sector, "this column has no row of the same name"
            )
    if HOUSEHOLDS in seen and HOUSEHOLDS not in reading.columns:
        reading.problem(seen[HOUSEHOLDS], "", "a households row needs a households column too")
    if reading.problems:
        raise problems_error(reading.csv.name, reading.problems)
    return _table(reading, euro_per_unit=euro_per_unit)


def _header(rows: CsvRows) -> _Reading:
    """What each header cell means; a problem for duplicates and a missing total_output."""
    reading = _Reading(csv=rows, sectors=[], columns={})
    for index, name in enumerate(rows.header[1:], start=1):
        key = _key(name)
        label = key if key in (*EXTRAS, HOUSEHOLDS) else name
        if not name:
            reading.problem(reading.csv.header_line, f"column {index + 1}", "empty column name")
        elif label in reading.columns:
            reading.problem(reading.csv.header_line, name, "column named twice")
        else:
            reading.columns[label] = index
            if label not in (*EXTRAS, HOUSEHOLDS):
                reading.sectors.append(name)
    if "total_output" not in reading.columns:
        reading.problem(reading.csv.header_line, "total_output", "the required column is missing")
    if not reading.sectors:
        reading.problem(reading.csv.header_line, "", "no sector columns in the header")
    if reading.problems:
        raise problems_error(rows.name, reading.problems)
    return reading


def _row(reading: _Reading, line: int, cells: list[str], seen: dict[str, int]) -> None:
    """Read one data row into ``reading.values`` (or record its problems)."""
    name = cells[0]
    sector = HOUSEHOLDS if _key(name) == HOUSEHOLDS else name
    if len(cells) != len(reading.csv.header):
        reading.problem(
            line, "", f"{len(cells)} cells where the header has {len(reading.csv.header)}"
        )
        return
    if sector in seen:
        reading.problem(
            line, reading.csv.header[0], f"row given twice (first on line {seen[sector]})", name
        )
        return
    if sector != HOUSEHOLDS and sector not in reading.sectors:
        reading.problem(line, reading.csv.header[0], "no sector column has this name", name)
        return
    seen[sector] = line
    values: dict[str, float] = {}
    for column, index in reading.columns.items():
        number = _cell(reading, line, sector, column, cells[index])
        if number is not None:
            values[column] = number
    reading.values[sector] = values


def _cell(reading: _Reading, line: int, sector: str, column: str, text: str) -> float | None:
    """The number in one cell, ``None`` when it may stay empty or has a problem."""
    optional = column in ("employment", "final_demand")
    if sector == HOUSEHOLDS and optional:
        if text:
            reading.problem(line, column, "the households row takes no value here", text)
        return None
    if not text and optional and column not in _filled(reading, column):
        return None
    try:
        value = parse_number(text, decimal_comma=reading.csv.decimal_comma)
    except ValueError as exc:
        reading.problem(line, column, str(exc), text)
        return None
    if value < 0 and column != "final_demand":
        reading.problem(line, column, "negative; flows, outputs and employment are ≥ 0", text)
    elif value == 0 and column == "total_output":
        reading.problem(line, column, "zero total output; every sector needs an output > 0")
    return value


def _filled(reading: _Reading, column: str) -> set[str]:
    """``{column}`` when some sector row has a value in this optional column (then all must)."""
    index = reading.columns[column]
    for _, cells in reading.csv.rows:
        if len(cells) > index and cells[index] and _key(cells[0]) != HOUSEHOLDS:
            return {column}
    return set()


def _table(reading: _Reading, *, euro_per_unit: float) -> IoTable:
    """The validated :class:`IoTable`; its own checks are reported with the file name."""
    sectors = reading.sectors
    values = reading.values

    def column(name: str) -> list[float] | None:
        if name not in reading.columns or name not in values[sectors[0]]:
            return None
        return [values[sector][name] for sector in sectors]

    households = values.get(HOUSEHOLDS)
    has_column = HOUSEHOLDS in reading.columns
    try:
        return IoTable.build(
            sectors=sectors,
            flows=[[values[row][col] for col in sectors] for row in sectors],
            total_output=[values[sector]["total_output"] for sector in sectors],
            final_demand=column("final_demand"),
            employment=column("employment"),
            household_row=None if households is None else [households[s] for s in sectors],
            household_column=column(HOUSEHOLDS) if has_column else None,
            household_self=0.0 if households is None else households.get(HOUSEHOLDS, 0.0),
            household_output=None if households is None else households["total_output"],
            euro_per_unit=euro_per_unit,
            source=reading.csv.name,
        )
    except UsageError as exc:
        raise UsageError(f"{reading.csv.name}: {exc.message}") from exc

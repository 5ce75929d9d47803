"""Reading input–output tables from CSV files: layouts that work, and located errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sujuva.errors import UsageError
from sujuva.impact.io import io_model
from sujuva.impact.io_csv import read_io_table

GOOD = """sector,sector 1,sector 2,households,total_output,employment,final_demand
sector 1,150,500,50,1000,10,300
sector 2,200,100,400,2000,40,1300
households,300,500,50,1000,,
"""


def write(tmp_path: Path, text: str, name: str = "io.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_the_textbook_table_with_households(tmp_path: Path) -> None:
    table = read_io_table(write(tmp_path, GOOD))
    assert table.sectors == ("sector 1", "sector 2")
    np.testing.assert_allclose(table.flows, [[150, 500], [200, 100]])
    np.testing.assert_allclose(table.total_output, [1000, 2000])
    np.testing.assert_allclose(table.employment, [10, 40])  # type: ignore[arg-type]
    np.testing.assert_allclose(table.household_row, [300, 500])  # type: ignore[arg-type]
    np.testing.assert_allclose(table.household_column, [50, 400])  # type: ignore[arg-type]
    assert table.household_self == 50 and table.household_output == 1000
    model = io_model(table)
    np.testing.assert_allclose(model.output_multipliers, [1.518, 1.452], atol=5e-4)
    assert model.has_type_ii


def test_semicolons_decimal_commas_reordered_rows_and_no_optional_columns(tmp_path: Path) -> None:
    text = "\ufefftoimiala;b;a;total_output\na;1;2;20\nb;0,5;1;10\n"
    table = read_io_table(write(tmp_path, text), euro_per_unit=1e6)
    assert table.sectors == ("b", "a")
    np.testing.assert_allclose(table.flows, [[0.5, 1], [1, 2]])
    np.testing.assert_allclose(table.total_output, [10, 20])
    assert table.employment is None and table.household_row is None
    assert table.euro_per_unit == 1e6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("s,a,b,total_output\na,1,x,5\nb,1,1,5\n", "line 2, column 'b': not a number (value 'x')"),
        ("s,a,b,total_output\na,1,-2,5\nb,1,1,5\n", "line 2, column 'b': negative"),
        ("s,a,b,total_output\na,1,2,0\nb,1,1,5\n", "line 2, column 'total_output': zero total"),
        ("s,a,b,total_output\na,1,2,5\nb,1,1\n", "line 3: 3 cells where the header has 4"),
        ("s,a,b,total_output\na,1,2,5\nc,1,1,5\n", "line 3, column 's': no sector column"),
        ("s,a,b,total_output\na,1,2,5\n", "line 1, column 'b': this column has no row"),
        ("s,a,b\na,1,2\nb,1,1\n", "column 'total_output': the required column is missing"),
        ("s,a,a,total_output\na,1,2,5\n", "line 1, column 'a': column named twice"),
        ("s,a,b,total_output\na,1,2,5\nb,1,1,5\na,1,1,5\n", "row given twice (first on line 2)"),
        (
            "s,a,b,total_output,employment\na,1,2,5,3\nb,1,1,5,\n",
            "line 3, column 'employment': empty; a number is needed",
        ),
        (
            "s,a,b,total_output\na,1,2,5\nb,1,1,5\nhouseholds,1,1,5\n",
            "a households row needs a households column too",
        ),
        ("s,a,households,total_output\na,1,2,5\n", "column 'households': this column has no row"),
        ("", "the file is empty"),
    ],
)
def test_bad_files_name_file_line_and_column(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(UsageError) as error:
        read_io_table(path)
    assert str(path) in error.value.message
    assert expected in error.value.message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "s,a,b,total_output\na,x,-1,5\nb,1,y,0\n")
    with pytest.raises(UsageError) as error:
        read_io_table(path)
    assert "4 problems; nothing was imported" in error.value.message


def test_table_checks_are_reported_with_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "s,a,b,total_output\na,50,50,100\nb,50,50,100\n")
    table = read_io_table(path)
    with pytest.raises(UsageError, match="singular"):
        io_model(table)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="file not found"):
        read_io_table(tmp_path / "nope.csv")

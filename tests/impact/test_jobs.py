"""Importing job records from CSV: documented columns, all-or-nothing, located errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from sujuva.errors import UsageError
from sujuva.impact.jobs import JOB_COLUMNS, job_records_frame, read_job_records

GOOD = """job_id,date,tol_code,sector,fte,type,organisation,path,case_id,pilot
J1,2017-03-01,25.11,,1,growth_hire,Josek,entrepreneur,C-1,North Karelia
J2,15.3.2017,,wellbeing,0.5,placement,TE Office,job seeker,,
J3,2017-04-02,02,bioeconomy,1.0,new_enterprise,Enterprise agency,,C-3,
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jobs.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_records_with_the_documented_columns(tmp_path: Path) -> None:
    records = read_job_records(write(tmp_path, GOOD))
    assert tuple(records.columns) == JOB_COLUMNS
    assert list(records["sector"]) == ["technology industry", "wellbeing", "bioeconomy"]
    assert list(records["tol_code"]) == ["2511", "", "02"]
    assert list(records["fte"]) == [1.0, 0.5, 1.0]
    assert records["date"].dt.date.tolist() == [
        date(2017, 3, 1),
        date(2017, 3, 15),
        date(2017, 4, 2),
    ]
    assert set(records["source"]) == {"imported"}
    assert records.loc[1, "case_id"] == "" and records.loc[0, "pilot"] == "North Karelia"
    assert str(records["date"].dtype).startswith("datetime64")


def test_semicolons_decimal_commas_and_no_fte_column(tmp_path: Path) -> None:
    text = "Date;TOL_code;Type;Organisation\n2017-05-01;C 28;growth-hire;Firm Oy\n"
    records = read_job_records(write(tmp_path, text))
    assert records.loc[0, "type"] == "growth_hire"
    assert records.loc[0, "fte"] == 1.0
    text = "date;tol_code;fte;type;organisation\n2017-05-01;28;0,6;placement;X\n"
    assert read_job_records(write(tmp_path, text)).loc[0, "fte"] == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("J9,2017-03-01,34,,1,placement,X,,,", "line 5, column 'tol_code': TOL code '34'"),
        ("J9,2017-03-01,25,,1,hired,X,,,", "line 5, column 'type': unknown type"),
        ("J9,2017-03-01,25,,0,placement,X,,,", "line 5, column 'fte': FTE must be more than 0"),
        ("J9,2017-03-01,25,,1.5,placement,X,,,", "column 'fte': FTE must be more than 0"),
        ("J9,2017-03-01,25,,abc,placement,X,,,", "column 'fte': not a number (value 'abc')"),
        ("J9,2017-02-30,25,,1,placement,X,,,", "line 5, column 'date': not a date"),
        ("J9,,25,,1,placement,X,,,", "column 'date': empty; a date is needed"),
        ("J9,1.1.1800,25,,1,placement,X,,,", "column 'date': year outside 1900–2999"),
        ("J9,2017-03-01,25,,1,placement,,,,", "column 'organisation': the organisation"),
        ("J9,2017-03-01,,forestry,1,placement,X,,,", "column 'sector': unknown sector"),
        ("J9,2017-03-01,,,1,placement,X,,,", "column 'tol_code': a TOL code or a sector"),
        ("J9,2017-03-01,86,bioeconomy,1,placement,X,,,", "belongs to the sector 'wellbeing'"),
        ("J1,2017-03-01,25,,1,placement,X,,,", "column 'job_id': job_id already used on line 2"),
        ("J9,2017-03-01,25", "line 5: 3 cells where the header has 10"),
    ],
)
def test_bad_lines_name_file_line_column_and_nothing_is_imported(
    tmp_path: Path, row: str, expected: str
) -> None:
    path = write(tmp_path, GOOD + row + "\n")
    with pytest.raises(UsageError) as error:
        read_job_records(path)
    assert f"{path}: 1 problem; nothing was imported" in error.value.message
    assert expected in error.value.message


def test_header_problems(tmp_path: Path) -> None:
    path = write(tmp_path, "date,organization,kind\n2017-01-01,X,placement\n")
    with pytest.raises(UsageError) as error:
        read_job_records(path)
    message = error.value.message
    assert "column 'organization': unknown column" in message
    assert "column 'type': the required column is missing" in message
    assert "a tol_code or a sector column is needed" in message


def test_derived_records_from_a_frame() -> None:
    frame = pd.DataFrame(
        {
            "date": [pd.Timestamp("2017-06-01"), date(2017, 6, 2)],
            "tol_code": ["86", None],
            "sector": [None, "other"],
            "type": ["placement", "new_enterprise"],
            "organisation": ["TE", "Agency"],
            "case_id": ["C7", float("nan")],
            "extra": [1, 2],
        }
    )
    records = job_records_frame(frame, source="derived")
    assert tuple(records.columns) == JOB_COLUMNS
    assert list(records["sector"]) == ["wellbeing", "other"]
    assert list(records["case_id"]) == ["C7", ""]
    assert list(records["fte"]) == [1.0, 1.0]
    assert set(records["source"]) == {"derived"}
    bad = frame.assign(type=["placement", "unknown"])
    with pytest.raises(UsageError, match="row 1, column 'type': unknown type"):
        job_records_frame(bad, source="derived")

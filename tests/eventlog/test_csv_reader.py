"""CSV reading: encodings, delimiters, and exact line numbers for rejected rows."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sujuva.config import Settings
from sujuva.errors import InputError
from sujuva.eventlog.csv_reader import open_csv
from sujuva.services.importing import import_files

HEADER = ["case_id", "activity", "timestamp", "note"]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "x.csv"
    rows = [HEADER, ["A", "Register", "12.4.2017 8.56", "a, b; c"], ["B", "Start", "1.1.2017", "x"]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    source = open_csv(path)
    assert source.layout.delimiter == delimiter
    assert source.layout.header == HEADER


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        ("Päätös;Työ\n".encode("utf-8-sig"), "utf-8-sig"),
        ("Päätös;Työ\n".encode(), "utf-8-sig"),
        ("Päätös;Työ\n".encode("cp1252"), "cp1252"),
    ],
)
def test_encoding_detection(tmp_path: Path, raw: bytes, encoding: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(raw)
    source = open_csv(path)
    assert source.layout.encoding == encoding
    assert source.layout.header == ["Päätös", "Työ"]


cell = st.text(alphabet="abcÄö ,;\"\n'x1", max_size=12)
row_strategy = st.lists(
    st.tuples(cell, st.integers(min_value=0, max_value=2)), min_size=1, max_size=30
)


@given(rows=row_strategy, bad_at=st.integers(min_value=0, max_value=29))
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_line_of_a_bad_row_is_exact_with_quoted_newlines_and_blank_lines(
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, int]],
    bad_at: int,
) -> None:
    """Whatever the notes contain (line breaks, quotes, delimiters) and however many blank
    lines stand between rows, the reported line is where the bad row starts."""
    bad_at = bad_at % len(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    expected_line = 0
    for index, (note, blanks) in enumerate(rows):
        out.write("\n" * blanks)
        if index == bad_at:
            expected_line = out.getvalue().count("\n") + 1
        stamp = "not a time" if index == bad_at else "12.4.2017 8.56"
        writer.writerow([f"C{index}", "Step", stamp, note])
    path = tmp_path_factory.mktemp("csv") / "rows.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_files([path], settings=settings)
    assert caught.value.problems[0].location == f"line {expected_line}"
    assert caught.value.problems[0].value == "not a time"

"""Excel and OpenDocument workbooks, and Finnish / Swedish column names, read end to end.

Every workbook is written in the test: XLSX with xlsxwriter, ODS with pandas (odfpy) and XLS
with xlwt (the last maintained writer of the old binary format).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow.csv as pacsv
import pytest
import xlsxwriter
import xlwt

from sujuva.config import Settings
from sujuva.errors import InputError
from sujuva.eventlog import excel_reader
from sujuva.eventlog.excel_reader import column_letter, open_excel
from sujuva.eventlog.mapping import ColumnMapping, load_mapping, resolve_columns
from sujuva.eventlog.sources import detect_format, open_source
from sujuva.services.importing import import_files, read_events
from sujuva.store.store import Store
from tests.conftest import snapshot

Row = list[object]
FINNISH_HEADER: Row = [
    "Asiakkuus ID",
    "Asiakas",
    "Palvelu",
    "Vaihe",
    "Alkoi",
    "Aika",
    "Organisaatio",
    "Käsittelijä",
    "Kanava",
    "Tulos",
]
FINNISH_ROWS: list[Row] = [
    [
        1234.0,
        "A-17",
        "Yrityspalvelut",
        "Ilmoittautuminen",
        None,
        dt.datetime(2017, 4, 12, 8, 56),
        "TE-toimisto",
        "Matti",
        "verkko",
        None,
    ],
    [
        1234.0,
        "A-17",
        "Yrityspalvelut",
        "Alkuhaastattelu",
        dt.datetime(2017, 4, 19, 10, 0),
        dt.datetime(2017, 4, 19, 10, 30),
        "TE-toimisto",
        "Maija",
        "puhelin",
        None,
    ],
    [
        1235.0,
        "B-02",
        "Yrityspalvelut",
        "Ilmoittautuminen",
        None,
        "1.2.2017 9.05",
        "Joensuun kaupunki",
        "Matti",
        None,
        "yrittäjä",
    ],
]


def write_xlsx(path: Path, sheets: dict[str, list[Row]], *, at: tuple[int, int] = (0, 0)) -> Path:
    """A workbook with one sheet per entry; rows start at ``at`` (0-based row, column)."""
    book = xlsxwriter.Workbook(str(path))
    formats = {
        dt.datetime: book.add_format({"num_format": "d.m.yyyy h:mm:ss"}),
        dt.date: book.add_format({"num_format": "d.m.yyyy"}),
        dt.time: book.add_format({"num_format": "hh:mm:ss"}),
    }
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                where = (at[0] + r, at[1] + c)
                if value is None:
                    continue
                if isinstance(value, dt.date | dt.time):
                    sheet.write_datetime(*where, value, formats[type(value)])
                elif isinstance(value, str):
                    sheet.write_string(*where, value)
                else:
                    sheet.write(*where, value)
    book.close()
    return path


def finnish_workbook(path: Path) -> Path:
    return write_xlsx(path, {"Tapahtumat": [FINNISH_HEADER, *FINNISH_ROWS]})


def _texts(path: Path, **options: str) -> list[dict[str, object]]:
    return [row for batch in open_excel(path, **options).batches() for row in batch.to_pylist()]


# --- end to end ------------------------------------------------------------------------------


def test_finnish_headers_are_recognised_end_to_end(settings: Settings, tmp_path: Path) -> None:
    events, report = read_events(finnish_workbook(tmp_path / "vienti.xlsx"), settings=settings)
    assert report.format == "excel"
    assert report.read_as == {"sheet": "Tapahtumat"}
    rows = events.to_pylist()
    assert [e["case_id"] for e in rows] == ["1234", "1234", "1235"]  # never "1234.0"
    assert [e["activity"] for e in rows] == [
        "Ilmoittautuminen",
        "Alkuhaastattelu",
        "Ilmoittautuminen",
    ]
    assert [e["Palvelu"] for e in rows] == ["Yrityspalvelut"] * 3  # lowest priority: left free
    assert rows[0]["timestamp"].isoformat() == "2017-04-12T05:56:00+00:00"  # EEST = UTC+3
    assert rows[1]["start_timestamp"].isoformat() == "2017-04-19T07:00:00+00:00"
    assert rows[2]["timestamp"].isoformat() == "2017-02-01T07:05:00+00:00"  # text, EET = UTC+2
    assert rows[0]["start_timestamp"] is None
    assert [e["actor"] for e in rows] == ["TE-toimisto", "TE-toimisto", "Joensuun kaupunki"]
    assert [e["channel"] for e in rows] == ["verkko", "puhelin", None]
    assert rows[2]["outcome"] == "yrittäjä"
    assert rows[0]["customer_id"] == rows[1]["customer_id"] != rows[2]["customer_id"]
    assert rows[0]["customer_id"].startswith("p_")  # pseudonymised, like CSV
    assert rows[0]["resource"] == rows[2]["resource"] != rows[1]["resource"]


def test_swedish_headers_and_import_into_the_store(settings: Settings, tmp_path: Path) -> None:
    header: Row = ["Ärendenummer", "Kund", "Åtgärd", "Tidpunkt", "Enhet", "Handläggare", "Kanal"]
    rows: list[Row] = [
        [7.0, "K1", "Ansökan", dt.datetime(2018, 1, 3, 9, 15), "Kommunen", "Anna", "webb"],
        [7.0, "K1", "Beslut", dt.datetime(2018, 1, 10, 14, 0), "Kommunen", "Erik", "post"],
    ]
    path = write_xlsx(tmp_path / "export.xlsx", {"Blad1": [header, *rows]})
    report = import_files([path], path_name="start-up", settings=settings)
    assert (report.files[0].rows_read, report.files[0].imported) == (2, 2)
    log = Store(settings.data_dir).to_arrow().to_pylist()
    assert [(e["case_id"], e["activity"], e["actor"]) for e in log] == [
        ("7", "Ansökan", "Kommunen"),
        ("7", "Beslut", "Kommunen"),
    ]
    assert log[0]["timestamp"].isoformat() == "2018-01-03T07:15:00+00:00"  # EET = UTC+2


def test_opendocument_spreadsheet(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "loki.ods"
    frame = pd.DataFrame(
        {
            "Tapausnumero": [1001, 1002],
            "Toimenpide": ["Hakemus", "Päätös"],
            "Päivämäärä": [dt.datetime(2017, 4, 12, 8, 56), dt.datetime(2017, 4, 13, 12, 0)],
            "Kustannus": [12.5, 3.0],
        }
    )
    frame.to_excel(path, engine="odf", index=False, sheet_name="Loki")
    assert _texts(path)[0] == {
        "Tapausnumero": "1001",
        "Toimenpide": "Hakemus",
        "Päivämäärä": "2017-04-12 08:56:00",
        "Kustannus": "12.5",
        "_row": 0,
    }
    events, _ = read_events(path, settings=settings)
    assert events["case_id"].to_pylist() == ["1001", "1002"]
    assert events["timestamp"][1].as_py().isoformat() == "2017-04-13T09:00:00+00:00"


def test_old_binary_xls(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "vanha.xls"
    book = xlwt.Workbook()
    sheet = book.add_sheet("Taul1")
    when = xlwt.easyxf(num_format_str="D.M.YYYY h:mm")
    for column, name in enumerate(["Tapaus", "Tehtävä", "Ajankohta", "Yksikkö"]):
        sheet.write(0, column, name)
    sheet.write(1, 0, 51)
    sheet.write(1, 1, "Neuvonta")
    sheet.write(1, 2, dt.datetime(2017, 4, 12, 8, 56), when)
    sheet.write(1, 3, "Yrityspalvelu")
    book.save(str(path))
    assert detect_format(path) == "excel"
    events, report = read_events(path, settings=settings)
    assert report.read_as == {"sheet": "Taul1"}
    row = events.to_pylist()[0]
    assert (row["case_id"], row["activity"], row["actor"]) == ("51", "Neuvonta", "Yrityspalvelu")
    assert row["timestamp"].isoformat() == "2017-04-12T05:56:00+00:00"


# --- cells become CSV-like text ----------------------------------------------------------------


def test_cells_become_text_like_a_csv_export(tmp_path: Path) -> None:
    header: Row = ["case_id", "activity", "timestamp", "a", "b", "c"]
    rows: list[Row] = [
        [1234.0, "  Hakemus  ", dt.datetime(2017, 4, 12, 8, 56, 7), 12.5, True, dt.time(8, 56)],
        [],
        [12.0, "Päätös", dt.date(2017, 4, 13), 0.1, False, "   "],
        [1e20, "x", "12.4.2017 8.56", -3.0, None, None],
    ]
    path = write_xlsx(tmp_path / "cells.xlsx", {"S": [header, *rows]}, at=(2, 1))
    source = open_excel(path)
    assert source.header == header
    values = [row for batch in source.batches() for row in batch.to_pylist()]
    assert values == [
        {
            "case_id": "1234",
            "activity": "Hakemus",
            "timestamp": "2017-04-12 08:56:07",
            "a": "12.5",
            "b": "true",
            "c": "08:56:00",
            "_row": 0,
        },
        {
            "case_id": "12",
            "activity": "Päätös",
            "timestamp": "2017-04-13",
            "a": "0.1",
            "b": "false",
            "c": None,
            "_row": 1,
        },
        {
            "case_id": "100000000000000000000",
            "activity": "x",
            "timestamp": "12.4.2017 8.56",
            "a": "-3",
            "b": None,
            "c": None,
            "_row": 2,
        },
    ]
    # the header is spreadsheet row 3; the empty row 5 is skipped but keeps its number
    assert source.locate([0, 1, 2]) == ["sheet 'S', row 4", "sheet 'S', row 6", "sheet 'S', row 7"]


def test_batches_hold_at_most_batch_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows: list[Row] = [[f"C{i}", "Step", "12.4.2017 8.56"] for i in range(7)]
    path = write_xlsx(tmp_path / "many.xlsx", {"S": [["case_id", "activity", "timestamp"], *rows]})
    monkeypatch.setattr(excel_reader, "BATCH_ROWS", 3)
    source = open_excel(path)
    batches = list(source.batches())
    assert [b.num_rows for b in batches] == [3, 3, 1]
    assert [r for b in batches for r in b.column("_row").to_pylist()] == list(range(7))
    assert list(source.batches())[2].num_rows == 1  # a second reading reads the file again


def test_rejected_rows_are_located_by_sheet_and_row(settings: Settings, tmp_path: Path) -> None:
    rows: list[Row] = [
        ["A", "Register", dt.datetime(2017, 4, 12, 8, 56)],
        [],
        ["A", "Interview", "yesterday"],
    ]
    path = write_xlsx(
        tmp_path / "bad.xlsx", {"Events": [["case_id", "activity", "timestamp"], *rows]}
    )
    with pytest.raises(InputError) as caught:
        read_events(path, settings=settings)
    problem = caught.value.problems[0]
    assert (problem.file, problem.location, problem.column) == (
        "bad.xlsx",
        "sheet 'Events', row 4",
        "timestamp",
    )
    quarantine = tmp_path / "rejected.csv"
    report = import_files([path], quarantine=quarantine, settings=settings)
    assert (report.files[0].imported, report.files[0].rejected) == (1, 1)
    rejected = pacsv.read_csv(quarantine).to_pylist()
    assert rejected[0]["location"] == "sheet 'Events', row 4"


def test_a_value_in_a_column_without_a_name_refuses_the_row(
    settings: Settings, tmp_path: Path
) -> None:
    rows: list[Row] = [
        ["A", "Register", "12.4.2017 8.56"],
        ["A", "Interview", "13.4.2017 9.00", "a note"],
    ]
    path = write_xlsx(tmp_path / "note.xlsx", {"S": [["case_id", "activity", "timestamp"], *rows]})
    with pytest.raises(InputError) as caught:
        read_events(path, settings=settings)
    problem = caught.value.problems[0]
    assert (problem.location, problem.column, problem.value) == ("sheet 'S', row 3", "D", "a note")
    assert "no column name" in problem.reason


# --- sheets ------------------------------------------------------------------------------------


def test_sheet_by_name_by_number_and_by_mapping_file(tmp_path: Path) -> None:
    first: list[Row] = [["Ohje"], ["Tämä välilehti kertoo, mitä tiedosto sisältää."]]
    second: list[Row] = [FINNISH_HEADER, *FINNISH_ROWS]
    path = write_xlsx(tmp_path / "kaksi.xlsx", {"Ohje": first, "Tapahtumat": second})
    by_default = open_source(path, fmt=None, mapping=ColumnMapping())
    assert by_default.describe() == {"sheet": "Ohje"}
    for sheet in ("Tapahtumat", "2", " 2 "):
        source = open_source(path, fmt=None, mapping=ColumnMapping(sheet=sheet))
        assert source.describe() == {"sheet": "Tapahtumat"}
        assert next(iter(source.batches())).num_rows == 3
    mapping_file = tmp_path / "map.toml"
    mapping_file.write_text("[excel]\nsheet = 2\n", encoding="utf-8")
    assert load_mapping(mapping_file).sheet == "2"
    mapping_file.write_text('[excel]\nsheet = "Tapahtumat"\n', encoding="utf-8")
    mapping = load_mapping(mapping_file)
    assert mapping.merged(columns={}, constants={}).sheet == "Tapahtumat"


def test_unknown_sheet_lists_the_sheets_there_are(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "kirja.xlsx", {"Ohje": [["x"]], "Tapahtumat": [["y"]]})
    with pytest.raises(InputError) as caught:
        open_excel(path, sheet="Data")
    message = str(caught.value)
    assert message.startswith("kirja.xlsx: no sheet named 'Data'")
    assert "'Ohje', 'Tapahtumat'" in message
    with pytest.raises(InputError, match="no sheet number 3; the workbook has 2 sheet"):
        open_excel(path, sheet="3")


def test_empty_sheet(tmp_path: Path, settings: Settings) -> None:
    path = write_xlsx(tmp_path / "tyhja.xlsx", {"Data": [FINNISH_HEADER], "Tyhjä": []})
    with pytest.raises(InputError) as caught:
        open_excel(path, sheet="Tyhjä")
    assert caught.value.problems[0].reason == "the sheet has no rows"
    assert "sheet 'Tyhjä'" in str(caught.value)
    with pytest.raises(InputError, match="no events"):  # a header and no rows: like CSV
        read_events(path, settings=settings)


# --- header problems ---------------------------------------------------------------------------


def test_a_first_row_of_data_is_refused_and_the_store_unchanged(
    settings: Settings, tmp_path: Path
) -> None:
    import_files([finnish_workbook(tmp_path / "hyva.xlsx")], settings=settings)
    before = snapshot(settings.data_dir)
    path = write_xlsx(tmp_path / "ilman.xlsx", {"Loki": FINNISH_ROWS})
    with pytest.raises(InputError) as caught:
        import_files([path], settings=settings)
    problem = caught.value.problems[0]
    assert (problem.file, problem.location, problem.column) == (
        "ilman.xlsx",
        "sheet 'Loki', row 1",
        "",
    )
    assert problem.reason == (
        "the first row holds data, not column names (a number in column A); "
        "add a header row with the column names"
    )
    assert snapshot(settings.data_dir) == before


@pytest.mark.parametrize(
    ("first_row", "evidence"),
    [
        (["A-1", "Hakemus", dt.datetime(2017, 4, 12, 8, 56)], "a date and time in column C"),
        (["A-1", "Hakemus", dt.date(2017, 4, 12)], "a date in column C"),
        (["A-1", True, "Hakemus"], "a true/false value in column B"),
        (["A-1", None, "12.4.2017 8.56"], "column B is empty while later columns are filled"),
    ],
)
def test_what_gives_a_data_row_away(tmp_path: Path, first_row: Row, evidence: str) -> None:
    path = write_xlsx(tmp_path / "data.xlsx", {"S": [first_row, ["A-2", "Päätös", "x"]]})
    with pytest.raises(InputError) as caught:
        open_excel(path)
    assert f"sheet 'S', row 1: the first row holds data, not column names ({evidence})" in str(
        caught.value
    )


def test_a_data_row_with_its_first_cell_empty_is_refused(tmp_path: Path) -> None:
    rows: list[Row] = [[None, "Hakemus", "12.4.2017"], ["A-2", "Päätös", "13.4.2017"]]
    path = write_xlsx(tmp_path / "aukko.xlsx", {"S": rows})
    with pytest.raises(InputError, match=r"column A is empty while later columns are filled"):
        open_excel(path)


def test_duplicate_header(tmp_path: Path) -> None:
    header: Row = ["case_id", "activity", "Aika", "timestamp", " Aika "]
    path = write_xlsx(tmp_path / "kahdesti.xlsx", {"S": [header, ["A", "B", "C", "D", "E"]]})
    with pytest.raises(InputError) as caught:
        open_excel(path)
    problem = caught.value.problems[0]
    assert (problem.location, problem.column) == ("sheet 'S', row 1", "Aika")
    assert problem.reason == "duplicate column name (columns C and E)"
    assert "names column 'Aika' twice" in str(caught.value)


# --- files that are not workbooks --------------------------------------------------------------


def test_a_csv_renamed_to_xlsx(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "vienti.xlsx"
    path.write_text("case_id;activity;timestamp\nA;B;12.4.2017 8.56\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_events(path, settings=settings)
    message = str(caught.value)
    assert message.startswith("vienti.xlsx: not a readable Excel/OpenDocument file: ")
    assert "text file" in message and "--format csv" in message
    events, _ = read_events(path, fmt="csv", settings=settings)
    assert events.num_rows == 1


def test_a_truncated_or_disguised_workbook(tmp_path: Path) -> None:
    whole = finnish_workbook(tmp_path / "whole.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(
        InputError, match=r"cut\.xlsx: not a readable Excel/OpenDocument file: the file is damaged"
    ):
        open_excel(cut)
    html = tmp_path / "raportti.xls"
    html.write_text("<html><table><tr><td>case_id</td></tr></table></html>", encoding="utf-8")
    with pytest.raises(InputError, match="HTML or XML"):
        open_excel(html)
    empty = tmp_path / "empty.ods"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="the file is empty"):
        open_excel(empty)
    # an XLSX saved under an .xls name is read by its content
    renamed = tmp_path / "renamed.xls"
    renamed.write_bytes(whole)
    assert open_excel(renamed).sheet == "Tapahtumat"


def test_formats_by_name() -> None:
    for name in ("a.xlsx", "a.XLSM", "a.xls", "a.ods"):
        assert detect_format(Path(name)) == "excel"
    assert detect_format(Path("a.dat"), "excel") == "excel"
    assert column_letter(0) == "A" and column_letter(25) == "Z" and column_letter(27) == "AB"


# --- synonyms ----------------------------------------------------------------------------------


def _resolved(columns: list[str], mapping: ColumnMapping | None = None) -> dict[str, str]:
    return resolve_columns(columns, mapping or ColumnMapping(), display_name="f")


def test_synonyms_ignore_case_space_underscore_and_hyphen() -> None:
    for case in ("Asiakkuus ID", " asiakkuus_id ", "ASIAKKUUS-ID", "asiakkuus  id"):
        assert _resolved([case, "Vaihe", "Aika"])[case] == "case_id"
    assert _resolved(["Tapaus", "Toimenpide", "Pvm", "Asiakasnumero"]) == {
        "Tapaus": "case_id",
        "Toimenpide": "activity",
        "Pvm": "timestamp",
        "Asiakasnumero": "customer_id",
    }


def test_palvelu_is_the_activity_only_when_nothing_better_is_there() -> None:
    assert _resolved(["Asiakkuus", "Palvelu", "Tehtävä", "Aikaleima"])["Tehtävä"] == "activity"
    assert _resolved(["Asiakkuus", "Palvelu", "Aikaleima"])["Palvelu"] == "activity"


def test_synonyms_do_not_steal_a_canonical_column() -> None:
    rename = _resolved(["Vaihe", "activity", "case_id", "Aika", "timestamp", "Tapaus"])
    assert rename == {"activity": "activity", "case_id": "case_id", "timestamp": "timestamp"}
    # a column named as a canonical column (in any spelling) is not taken for another one
    mapping = ColumnMapping(columns={"customer_id": "Asiakas"})
    rename = _resolved(["Asiakas", "Customer-ID", "Tapaus", "Vaihe", "Aika"], mapping)
    assert "Customer-ID" not in rename
    assert rename["Asiakas"] == "customer_id"

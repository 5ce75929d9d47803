"""Import semantics: all-or-nothing, quarantine, duplicates, order, defaults, counts."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from sujuva.config import Settings
from sujuva.errors import InputError
from sujuva.eventlog.mapping import ColumnMapping
from sujuva.services.importing import import_files
from sujuva.store.store import Store
from tests.conftest import BAD, GOOD, snapshot

FINNISH_EXCEL = (
    "Asiakkuus;Vaihe;Valmis;Alkoi;Organisaatio;Käsittelijä;Kustannus\r\n"
    "T-1;Ilmoittautuminen;12.4.2017 8.56;;TE-toimisto;Matti Meikäläinen;12,50\r\n"
    "T-1;Alkuhaastattelu;19.04.2017 10:30:00;19.04.2017 10:00:00;TE-toimisto;Maija Mäkinen;"
    "40,25\r\n"
    "T-2;Ilmoittautuminen;1.2.2017 9.05;;Joensuun kaupunki;Matti Meikäläinen;0,5\r\n"
)


def _store(settings: Settings) -> Store:
    return Store(settings.data_dir)


def test_finnish_excel_csv_cp1252_semicolon_decimal_comma(
    settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "te-vienti.csv"
    source.write_bytes(FINNISH_EXCEL.encode("cp1252"))
    mapping = ColumnMapping(
        columns={
            "case_id": "Asiakkuus",
            "activity": "Vaihe",
            "timestamp": "Valmis",
            "start_timestamp": "Alkoi",
            "actor": "Organisaatio",
            "resource": "Käsittelijä",
        }
    )
    report = import_files([source], mapping=mapping, path_name="job_search", settings=settings)
    file = report.files[0]
    assert (file.rows_read, file.imported, file.rejected, file.duplicate) == (3, 3, 0, 0)
    assert file.read_as == {"encoding": "cp1252", "delimiter": ";"}
    log = _store(settings).to_arrow().to_pylist()
    assert [e["case_id"] for e in log] == ["T-1", "T-1", "T-2"]
    first, second = log[0], log[1]
    assert first["path"] == "job_search"
    assert first["timestamp"].isoformat() == "2017-04-12T05:56:00+00:00"  # EEST = UTC+3
    assert second["start_timestamp"].isoformat() == "2017-04-19T07:00:00+00:00"
    assert log[2]["timestamp"].isoformat() == "2017-02-01T07:05:00+00:00"  # EET = UTC+2
    assert [e["Kustannus"] for e in log] == [12.5, 40.25, 0.5]
    assert first["actor"] == "TE-toimisto"
    assert (
        first["resource"] == log[2]["resource"] != second["resource"]
    )  # same person, same pseudonym


def test_all_or_nothing_across_files(settings: Settings) -> None:
    import_files([GOOD / "base.csv"], settings=settings)
    before = snapshot(settings.data_dir)
    with pytest.raises(InputError):
        import_files([GOOD / "base.csv", BAD / "dst_gap.csv"], path_name="other", settings=settings)
    assert snapshot(settings.data_dir) == before
    assert _store(settings).info().events == 3


def test_quarantine_imports_good_rows_and_writes_bad_ones(
    settings: Settings, tmp_path: Path
) -> None:
    quarantine = tmp_path / "rejected.csv"
    report = import_files(
        [BAD / "mixed_date_formats.csv"], quarantine=quarantine, settings=settings
    )
    file = report.files[0]
    assert (file.rows_read, file.imported, file.rejected) == (2, 1, 1)
    assert report.quarantine == quarantine
    rows = pacsv.read_csv(quarantine).to_pylist()
    assert len(rows) == 1
    assert rows[0]["file"] == "mixed_date_formats.csv"
    assert rows[0]["location"] == "line 3"
    assert rows[0]["column"] == "timestamp"
    assert "unrecognised date-time" in rows[0]["reason"]
    assert rows[0]["timestamp"] == "04/13/2017 09:00"  # the original row, to fix and re-import
    assert _store(settings).info().events == 1


def test_quarantine_lists_wrong_width_rows(settings: Settings, tmp_path: Path) -> None:
    quarantine = tmp_path / "q.csv"
    report = import_files([BAD / "too_many_fields.csv"], quarantine=quarantine, settings=settings)
    assert (report.files[0].rows_read, report.files[0].imported, report.files[0].rejected) == (
        2,
        1,
        1,
    )
    rows = pacsv.read_csv(quarantine).to_pylist()
    assert rows[0]["location"] == "line 3"
    assert rows[0]["reason"] == "expected 4 fields, found 5"


def test_same_file_twice_does_not_double_count(settings: Settings) -> None:
    first = import_files([GOOD / "base.csv"], settings=settings)
    second = import_files([GOOD / "base.csv"], settings=settings)
    assert first.files[0].imported == 3
    assert (second.files[0].imported, second.files[0].duplicate) == (0, 3)
    info = _store(settings).info()
    assert (info.events, info.cases, info.imports) == (3, 2, 2)


def test_overlapping_files_add_only_new_events(settings: Settings, tmp_path: Path) -> None:
    header = "case_id,activity,timestamp,actor\n"
    rows = [
        f"C{i % 7},Step {i % 5},2017-0{1 + i % 9}-1{i % 10}T10:00:00+02:00,Org {i % 3}\n"
        for i in range(60)
    ]
    left, right = tmp_path / "left.csv", tmp_path / "right.csv"
    left.write_text(header + "".join(rows[:40]), encoding="utf-8")
    right.write_text(header + "".join(rows[25:]), encoding="utf-8")
    import_files([left], path_name="p", settings=settings)
    report = import_files([right], path_name="p", settings=settings)
    assert (report.files[0].imported, report.files[0].duplicate) == (20, 15)
    assert _store(settings).info().events == 60


def test_exact_duplicate_rows_in_one_file_count_once(settings: Settings, tmp_path: Path) -> None:
    source = tmp_path / "dups.csv"
    source.write_text(
        "case_id,activity,timestamp\nA,Register,12.4.2017 8.56\nA,Register,12.4.2017 8.56\n"
        "A,Interview,13.4.2017 9.00\n",
        encoding="utf-8",
    )
    report = import_files([source], settings=settings)
    assert (report.files[0].rows_read, report.files[0].imported, report.files[0].duplicate) == (
        3,
        2,
        1,
    )


def test_equal_timestamps_keep_file_order_across_imports(
    settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "ties.csv"
    source.write_text(
        "case_id,activity,timestamp\n"
        "A,Zeta,12.4.2017 8.56\nA,Alpha,12.4.2017 8.56\nA,Mid,12.4.2017 8.56\n"
        "B,Second,12.4.2017 9.00\nB,First,12.4.2017 8.00\n",
        encoding="utf-8",
    )
    import_files([source], settings=settings)
    later = tmp_path / "later.csv"
    later.write_text("case_id,activity,timestamp\nA,Beta,12.4.2017 8.56\n", encoding="utf-8")
    import_files([later], path_name="ties", settings=settings)
    log = _store(settings).to_arrow()
    assert log["activity"].to_pylist() == ["Zeta", "Alpha", "Mid", "Beta", "First", "Second"]
    with _store(settings).connect() as con:
        rows = con.execute(
            "SELECT a.name, n.name FROM events e JOIN activities a ON a.code = e.activity_code "
            "LEFT JOIN activities n ON n.code = e.next_activity_code ORDER BY case_idx, pos"
        ).fetchall()
    assert rows == [
        ("Zeta", "Alpha"),
        ("Alpha", "Mid"),
        ("Mid", "Beta"),
        ("Beta", None),
        ("First", "Second"),
        ("Second", None),
    ]


def test_defaults_for_logs_without_customer_path_or_organisation(
    settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "permits.csv"
    source.write_text("case_id,activity,timestamp\nA,Register,12.4.2017 8.56\n", encoding="utf-8")
    import_files([source], settings=settings)
    event = _store(settings).to_arrow().to_pylist()[0]
    assert event["path"] == "permits"
    assert event["actor"] == "unknown"
    assert event["customer_id"].startswith("p_")


def test_constant_actor_and_mapping_file(settings: Settings, tmp_path: Path) -> None:
    from sujuva.eventlog.mapping import load_mapping

    mapping_file = tmp_path / "map.toml"
    mapping_file.write_text(
        '[columns]\ncase_id = "Nro"\nactivity = "Mitä"\ntimestamp = "Milloin"\n'
        '[constants]\nactor = "Josek"\npath = "entrepreneur"\n[csv]\ndelimiter = ";"\n',
        encoding="utf-8",
    )
    source = tmp_path / "josek.csv"
    source.write_text("Nro;Mitä;Milloin\n7;Neuvonta;3.5.2017 13.00\n", encoding="utf-8")
    import_files([source], mapping=load_mapping(mapping_file), settings=settings)
    event = _store(settings).to_arrow().to_pylist()[0]
    assert (event["case_id"], event["activity"], event["actor"], event["path"]) == (
        "7",
        "Neuvonta",
        "Josek",
        "entrepreneur",
    )


def test_parquet_with_native_types(settings: Settings, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "case:concept:name": ["A", "A"],
            "concept:name": ["Register", "Decide"],
            "time:timestamp": pa.array(
                [1491976560000000, 1492076560000000], pa.timestamp("us", tz="Europe/Helsinki")
            ),
            "org:group": ["TE", "ELY"],
            "case:municipality": ["Joensuu", "Joensuu"],
            "rating": pa.array([4, None], pa.int8()),
        }
    )
    pq.write_table(table, tmp_path / "wh.parquet")
    import_files([tmp_path / "wh.parquet"], settings=settings)
    log = _store(settings).to_arrow()
    assert log["actor"].to_pylist() == ["TE", "ELY"]
    assert log["case:municipality"].to_pylist() == ["Joensuu", "Joensuu"]
    assert log["rating"].to_pylist() == [4, None]
    assert log["timestamp"][0].as_py().isoformat() == "2017-04-12T05:56:00+00:00"


def test_second_writer_is_refused_while_one_imports(settings: Settings) -> None:
    from sujuva.errors import StoreError
    from sujuva.store.layout import writer_lock

    import_files([GOOD / "base.csv"], settings=settings)
    before = snapshot(settings.data_dir)
    with writer_lock(settings.data_dir), pytest.raises(StoreError, match="another import"):
        import_files([GOOD / "base.csv"], path_name="again", settings=settings)
    assert snapshot(settings.data_dir) == before

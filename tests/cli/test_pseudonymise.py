"""Pseudonymising at the source: the service and the commands, on real CSV and Parquet files.

Raw identity codes must never appear in the output, the quarantine file or any message; the
pseudonyms must be exactly those the store computes from the normalised code.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sujuva.cli.main import app, run
from sujuva.config import Settings, override_settings
from sujuva.errors import InputError, UsageError
from sujuva.privacy.pseudonym import (
    KEY_FINGERPRINT_COLUMN,
    key_fingerprint,
    load_key,
    new_key,
    pseudonym,
    write_key_file,
)
from sujuva.services.source_pseudonymise import pseudonymise_file

# Finnish-locale export: semicolons, cp1252, codes typed in several spellings.
EXPORT = (
    "tapaus;hetu;ytunnus;vaihe;aika;huom\n"
    "A1; 131052-308t ;1234567-1;Neuvonta;12.4.2017 8.56;Kävi\n"
    "A2;010594Y9032;20774740;Starttiraha;13.4.2017 9.00;\n"
    "A3;;;Neuvonta;14.4.2017 9.00;ei tunnusta\n"
    'A4;020516C903K; 2077474 - 0 ;Rekisteröinti;15.4.2017 10.00;"rivi; jossa erotin"\n'
)
NORMALISED_HETU = ["131052-308T", "010594Y9032", None, "020516C903K"]
NORMALISED_FIRM = ["1234567-1", "2077474-0", None, "2077474-0"]
RAW_CODES = [
    "131052-308t",
    "131052-308T",
    "010594Y9032",
    "020516C903K",
    "1234567-1",
    "12345671",
    "2077474-0",
    "20774740",
    "2077474 - 0",
]
BAD_HETU = "010594Y903X"  # check character off by one
COLUMNS = {"hetu": "person", "ytunnus": "firm"}


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "region.key"
    write_key_file(path, new_key())
    return path


def _key(key_file: Path) -> bytes:
    return bytes.fromhex(key_file.read_text())


def _export(tmp_path: Path, text: str = EXPORT, name: str = "vienti.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("cp1252"))
    return path


def _pseudonyms(key: bytes, values: list[str | None]) -> list[str | None]:
    return [None if value is None else pseudonym(key, value) for value in values]


def _read_csv(path: Path) -> pa.Table:
    return pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={"hetu": pa.string(), "ytunnus": pa.string(), "tapaus": pa.string()},
            strings_can_be_null=True,
        ),
    )


def _assert_no_raw_codes(*paths: Path, codes: list[str] = RAW_CODES) -> None:
    for path in paths:
        content = path.read_bytes()
        for code in codes:
            assert code.encode() not in content, (path, code)
            assert code.lower().encode() not in content, (path, code)


def _cli(settings: Settings, *args: str | Path) -> tuple[int, str]:
    """Run the typer app in-process; return its exit code and output."""
    result = CliRunner().invoke(app, ["--data-dir", str(settings.data_dir), *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _main(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str | Path
) -> tuple[int, str]:
    """Run the console entry point in-process (errors mapped to exit codes as in a shell)."""
    monkeypatch.setattr(sys, "argv", ["sujuva", *map(str, args)])
    with pytest.raises(SystemExit) as exited:
        run()
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.out + captured.err


def test_csv_export_is_pseudonymised(settings: Settings, tmp_path: Path, key_file: Path) -> None:
    target = tmp_path / "out.csv"
    report = pseudonymise_file(_export(tmp_path), target, key_file=key_file, columns=dict(COLUMNS))
    key = _key(key_file)
    assert (report.rows, report.columns, report.fingerprint) == (4, COLUMNS, key_fingerprint(key))
    assert report.rejected == 0 and report.quarantine is None
    _assert_no_raw_codes(target)
    table = _read_csv(target)
    source_columns = ["tapaus", "hetu", "ytunnus", "vaihe", "aika", "huom"]
    assert table.column_names == [*source_columns, KEY_FINGERPRINT_COLUMN]
    assert table["hetu"].to_pylist() == _pseudonyms(key, NORMALISED_HETU)
    assert table["ytunnus"].to_pylist() == _pseudonyms(key, NORMALISED_FIRM)
    assert table[KEY_FINGERPRINT_COLUMN].to_pylist() == [key_fingerprint(key)] * 4
    assert table["huom"].to_pylist() == ["Kävi", None, "ei tunnusta", "rivi; jossa erotin"]
    assert table["aika"].to_pylist()[0] == "12.4.2017 8.56"
    assert "Rekisteröinti" in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "region.key", "vienti.csv"]


def _parquet_export(tmp_path: Path) -> Path:
    path = tmp_path / "vienti.parquet"
    when = datetime.datetime(2017, 4, 12, 8, 56, tzinfo=datetime.UTC)
    table = pa.table(
        {
            "tapaus": ["A1", "A2", "A3", "A4"],
            "hetu": [" 131052-308t ", "010594Y9032", None, "020516C903K"],
            "ytunnus": ["1234567-1", "20774740", "", " 2077474 - 0 "],
            "kaynnit": pa.array([1, 2, None, 4], pa.int64()),
            "aika": pa.array([when] * 4, pa.timestamp("us", tz="UTC")),
        }
    )
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_parquet_export_is_pseudonymised(
    settings: Settings, tmp_path: Path, key_file: Path, suffix: str
) -> None:
    target = tmp_path / f"out{suffix}"
    report = pseudonymise_file(
        _parquet_export(tmp_path), target, key_file=key_file, columns=dict(COLUMNS)
    )
    key = _key(key_file)
    assert report.rows == 4
    _assert_no_raw_codes(target)
    table = pq.read_table(target) if suffix == ".parquet" else _read_csv(target)
    assert table["hetu"].to_pylist() == _pseudonyms(key, NORMALISED_HETU)
    assert table["ytunnus"].to_pylist() == _pseudonyms(key, NORMALISED_FIRM)
    assert table[KEY_FINGERPRINT_COLUMN].to_pylist() == [key_fingerprint(key)] * 4
    assert table["kaynnit"].to_pylist() == [1, 2, None, 4]
    if suffix == ".parquet":
        assert table.schema.field("aika").type == pa.timestamp("us", tz="UTC")


def test_cli_writes_and_reports(settings: Settings, tmp_path: Path, key_file: Path) -> None:
    source, target = _export(tmp_path), tmp_path / "out.parquet"
    code, output = _cli(
        settings, "pseudonymise", source, target, "--key-file", key_file,
        "--column", "hetu", "--firm-column", "ytunnus", "--plain-column", "tapaus",
    )  # fmt: skip
    assert code == 0, output
    fingerprint = key_fingerprint(_key(key_file))
    assert "wrote 4 rows" in output and fingerprint in output
    assert "hetu: personal identity codes" in output and "ytunnus: business IDs" in output
    table = pq.read_table(target)
    assert table["tapaus"].to_pylist() == _pseudonyms(_key(key_file), ["A1", "A2", "A3", "A4"])
    _assert_no_raw_codes(target)
    code, output = _cli(
        settings, "pseudonymise", source, tmp_path / "again.csv", "--key-file", key_file,
        "--column", "hetu", "--firm-column", "ytunnus", "--json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(output)
    assert report["rows"] == 4 and report["fingerprint"] == fingerprint
    assert report["columns"] == COLUMNS


def test_invalid_code_refuses_the_file(
    settings: Settings,
    tmp_path: Path,
    key_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = _export(tmp_path, EXPORT.replace("010594Y9032", BAD_HETU))
    target = tmp_path / "out.csv"
    target.write_text("an earlier output")
    before = sorted(p.name for p in tmp_path.iterdir())
    code, output = _main(
        monkeypatch, capsys, "pseudonymise", source, target, "--key-file", key_file,
        "--column", "hetu", "--firm-column", "ytunnus",
    )  # fmt: skip
    assert code == 4
    assert "vienti.csv, line 3, column 'hetu': not a valid personal identity code" in output
    assert "check character does not match" in output
    assert "nothing was written" in output and "Traceback" not in output
    for raw in (BAD_HETU, BAD_HETU.lower(), *RAW_CODES):
        assert raw not in output
    assert target.read_text() == "an earlier output"
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    with pytest.raises(InputError) as raised:
        pseudonymise_file(source, target, key_file=key_file, columns=dict(COLUMNS))
    problems = raised.value.problems
    assert [(p.file, p.location, p.column, p.value) for p in problems] == [
        ("vienti.csv", "line 3", "hetu", "")
    ]
    assert BAD_HETU not in json.dumps(raised.value.to_dict())


def test_quarantine_keeps_good_rows_and_blanks_bad_codes(
    settings: Settings, tmp_path: Path, key_file: Path
) -> None:
    text = EXPORT.replace("010594Y9032", BAD_HETU).replace("1234567-1", "1234567-2")
    source, target, quarantine = _export(tmp_path, text), tmp_path / "out.csv", tmp_path / "q.csv"
    code, output = _cli(
        settings, "pseudonymise", source, target, "--key-file", key_file, "--column", "hetu",
        "--firm-column", "ytunnus", "--quarantine", quarantine,
    )  # fmt: skip
    assert code == 0, output
    assert "wrote 2 rows" in output and "2 rejected row(s)" in output
    key = _key(key_file)
    kept = _read_csv(target)
    assert kept["tapaus"].to_pylist() == ["A3", "A4"]
    assert kept["hetu"].to_pylist() == _pseudonyms(key, [None, "020516C903K"])
    rejected = _read_csv(quarantine)
    assert rejected.column_names[:4] == ["file", "location", "column", "reason"]
    assert rejected["location"].to_pylist() == ["line 2", "line 3"]
    assert rejected["column"].to_pylist() == ["ytunnus", "hetu"]
    assert rejected["reason"].to_pylist() == [
        "not a valid business ID (Y-tunnus): the check digit does not match",
        "not a valid personal identity code: the check character does not match",
    ]
    assert rejected["ytunnus"].to_pylist() == [None, pseudonym(key, "2077474-0")]
    assert rejected["hetu"].to_pylist() == [pseudonym(key, "131052-308T"), None]
    _assert_no_raw_codes(target, quarantine, codes=[*RAW_CODES, BAD_HETU, "1234567-2"])


def test_missing_and_unnamed_columns(settings: Settings, tmp_path: Path, key_file: Path) -> None:
    source, target = _export(tmp_path), tmp_path / "out.csv"
    with pytest.raises(InputError) as raised:
        pseudonymise_file(source, target, key_file=key_file, columns={"henkilotunnus": "person"})
    message = raised.value.message
    assert "vienti.csv" in message and "'henkilotunnus' is not in the file" in message
    assert "'tapaus', 'hetu', 'ytunnus'" in message
    with pytest.raises(InputError, match="column 'hetu' holds personal identity codes") as raised:
        pseudonymise_file(source, target, key_file=key_file, columns={"ytunnus": "firm"})
    assert not any(code in str(raised.value.to_dict()) for code in RAW_CODES)
    headerless = _export(tmp_path, EXPORT.split("\n", 1)[1], name="headerless.csv")
    with pytest.raises(InputError, match="lack its header row") as raised:
        pseudonymise_file(headerless, target, key_file=key_file, columns={"hetu": "person"})
    assert not any(code in str(raised.value.to_dict()) for code in RAW_CODES)
    assert not target.exists()


def test_formats_that_are_refused(settings: Settings, tmp_path: Path, key_file: Path) -> None:
    xes = tmp_path / "log.xes"
    xes.write_text("<log/>")
    with pytest.raises(UsageError, match="pseudonymise reads CSV, Excel or Parquet"):
        pseudonymise_file(xes, tmp_path / "out.csv", key_file=key_file, columns=dict(COLUMNS))
    for name in ("out.xlsx", "out.xes", "out"):
        with pytest.raises(UsageError, match=r"\.csv or \.parquet"):
            pseudonymise_file(
                _export(tmp_path), tmp_path / name, key_file=key_file, columns=dict(COLUMNS)
            )
    with pytest.raises(UsageError, match="different files"):
        source = _export(tmp_path)
        pseudonymise_file(source, source, key_file=key_file, columns=dict(COLUMNS))


def test_pseudonymised_file_only_with_the_same_key(
    settings: Settings, tmp_path: Path, key_file: Path
) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    pseudonymise_file(_export(tmp_path), first, key_file=key_file, columns=dict(COLUMNS))
    pseudonymise_file(first, second, key_file=key_file, columns=dict(COLUMNS))
    assert _read_csv(second).equals(_read_csv(first))  # pseudonyms pass through unchanged
    other = tmp_path / "other.key"
    write_key_file(other, new_key())
    with pytest.raises(InputError, match="already pseudonymised with another key"):
        pseudonymise_file(first, tmp_path / "third.csv", key_file=other, columns=dict(COLUMNS))


def test_key_export_and_fingerprint(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    exported = tmp_path / "region.key"
    code, output = _cli(settings, "key", "export", exported)
    assert code == 0, output
    assert exported.stat().st_mode & 0o777 == 0o600
    store_key = load_key(settings.data_dir)
    assert store_key is not None and _key(exported) == store_key
    fingerprint = key_fingerprint(store_key)
    assert fingerprint in output and "secure channel" in output
    code, output = _cli(settings, "key", "fingerprint", "--key-file", exported)
    assert code == 0 and fingerprint in output
    code, output = _cli(settings, "key", "fingerprint", "--json")
    assert json.loads(output)["fingerprint"] == fingerprint
    assert _cli(settings, "key", "export", exported)[0] == 0  # the same key again: fine
    occupied = tmp_path / "notes.key"
    occupied.write_text("something else")
    args = ("--data-dir", settings.data_dir, "key", "export", occupied)
    code, output = _main(monkeypatch, capsys, *args)
    assert code == 10 and "exists" in output
    assert occupied.read_text() == "something else"


def test_key_export_of_a_configured_key_and_missing_keys(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ("--data-dir", settings.data_dir, "key", "fingerprint")
    code, output = _main(monkeypatch, capsys, *args)
    assert code == 3 and "no pseudonym key yet" in output
    assert not settings.data_dir.exists()
    override_settings(secret_key="a-key-from-the-vault-of-32-chars!")
    exported = tmp_path / "vault.key"
    assert _cli(settings, "key", "export", exported)[0] == 0
    assert _key(exported) == b"a-key-from-the-vault-of-32-chars!"
    assert not (settings.data_dir / "secret.key").exists()


def _workbook(path: Path) -> Path:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("Ohje").write_row(0, 0, ["Tämä välilehti ei ole vienti"])
    sheet = workbook.add_worksheet("Tapahtumat")
    rows = [
        ["tapaus", "hetu", "ytunnus", "vaihe"],
        ["A1", " 131052-308t ", "1234567-1", "Neuvonta"],
        ["A2", "010594Y9032", "20774740", "Starttiraha"],
        ["A3", "020516C903K", "2077474-0", "Rekisteröinti", None, BAD_HETU],  # stray cell
    ]
    for index, row in enumerate(rows):
        sheet.write_row(index, 0, row)
    workbook.close()
    return path


def test_excel_sheet_is_pseudonymised(
    settings: Settings,
    tmp_path: Path,
    key_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source, target = _workbook(tmp_path / "vienti.xlsx"), tmp_path / "out.csv"
    args = ("pseudonymise", source, target, "--key-file", key_file, "--sheet", "Tapahtumat")
    code, output = _main(monkeypatch, capsys, *args, "--column", "hetu", "--firm-column", "ytunnus")
    assert code == 4 and "row 4" in output and "Tapahtumat" in output
    assert BAD_HETU not in output and not target.exists()
    quarantine = tmp_path / "q.csv"
    code, output = _cli(
        settings, *args, "--column", "hetu", "--firm-column", "ytunnus", "--quarantine", quarantine
    )
    assert code == 0, output
    key = _key(key_file)
    table = _read_csv(target)
    assert table["hetu"].to_pylist() == _pseudonyms(key, ["131052-308T", "010594Y9032"])
    assert table["ytunnus"].to_pylist() == _pseudonyms(key, ["1234567-1", "2077474-0"])
    _assert_no_raw_codes(target, quarantine, codes=[*RAW_CODES, BAD_HETU])

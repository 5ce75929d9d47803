"""The bad-input corpus: every file gives a clear error naming the place, and the store is
byte-for-byte unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from sujuva.config import Settings, override_settings
from sujuva.errors import InputError, SujuvaError
from sujuva.eventlog.mapping import ColumnMapping
from sujuva.services.importing import import_files
from tests.conftest import BAD, GOOD, snapshot

# file, mapping options, where the error must point, what it must say
CORPUS: list[tuple[str, dict[str, object], str, str]] = [
    ("wrong_delimiter.csv", {"delimiter": ";"}, "header", "is the delimiter wrong"),
    ("mixed_date_formats.csv", {}, "line 3", "unrecognised date-time"),
    ("missing_case_column.csv", {}, "header", "missing required column 'case_id'"),
    ("missing_timestamp_column.csv", {}, "header", "missing required column 'timestamp'"),
    ("empty.csv", {}, "line 1", "empty"),
    ("header_only.csv", {}, "", "no events"),
    ("dst_gap.csv", {}, "line 3", "does not exist in Europe/Helsinki"),
    ("dst_overlap.csv", {}, "line 3", "occurs twice"),
    ("duplicate_header.csv", {}, "header", "twice"),
    ("invalid_utf8_with_bom.csv", {}, "line 3, byte 15", "0xff is not valid UTF-8"),
    (
        "invalid_utf8_declared.csv",
        {"encoding": "utf-8"},
        "line 3, byte 10",
        "0x81 is not valid UTF-8",
    ),
    ("negative_duration.csv", {}, "line 3", "start is after the completion"),
    ("empty_case_id.csv", {}, "line 3", "case id is empty"),
    ("empty_activity.csv", {}, "line 3", "activity is empty"),
    ("empty_timestamp.csv", {}, "line 3", "completion time is empty"),
    ("invalid_date.csv", {}, "line 3", "no such day"),
    ("year_out_of_range.csv", {}, "line 3", "year outside"),
    ("time_out_of_range.csv", {}, "line 3", "time of day out of range"),
    ("too_many_fields.csv", {}, "line 3", "expected 4 fields, found 5"),
    ("too_few_fields.csv", {}, "line 3", "expected 4 fields, found 2"),
    ("unclosed_quote.csv", {}, "line 3", "expected 4 fields"),
    ("quoted_newline_then_bad.csv", {}, "line 5", "unrecognised date-time"),
    ("blank_lines_then_bad.csv", {}, "line 7", "unrecognised date-time"),
    ("column_not_in_file.csv", {"columns": {"case_id": "Asiakas"}}, "header", "'Asiakas'"),
    ("semicolon_bad_decimal_time.csv", {}, "line 2", "unrecognised date-time"),
    ("nul_bytes.csv", {}, "line 2", "NUL character"),
    ("timestamp_zone_name.csv", {}, "line 2", "unrecognised date-time"),
    ("missing_case_column.parquet", {}, "header", "missing required column 'case_id'"),
    ("not_really.parquet", {}, "", "not a readable Parquet file"),
    ("null_timestamp.parquet", {}, "row 2", "completion time is empty"),
    ("bad_gzip.xes.gz", {}, "", "corrupt gzip data"),
    ("doctype_after_root.xes", {}, "line 3, column 3", "malformed XML"),
    ("doctype_billion_laughs.xes", {}, "line 2", "refused for safety"),
    ("external_dtd.xes", {}, "line 2", "refused for safety"),
    ("external_entity.xes", {}, "line 2", "refused for safety"),
    ("undefined_entity.xes", {}, "line 6, column 4", "undefined entity"),
    ("empty.xes", {}, "", "the file is empty"),
    ("event_without_timestamp.xes", {}, "trace 1 (case 'case-1'), event 2", "completion time"),
    ("mismatched_tags.xes", {}, "line 8, column 5", "mismatched tag"),
    ("no_traces.xes", {}, "", "no traces"),
    ("not_xes_root.xes", {}, "line 2", "not an XES log"),
    ("start_without_complete.xes", {}, "trace 1 (case 'case-1'), event 3", "without a matching"),
    ("unclosed.xes", {}, "line 10, column 4", "unclosed token"),
]


@pytest.fixture
def seeded(settings: Settings) -> Settings:
    """A store that already holds a good import, so 'unchanged' means something."""
    import_files([GOOD / "base.csv"], settings=settings)
    return settings


def _mapping(options: dict[str, object]) -> ColumnMapping:
    columns = options.get("columns", {})
    assert isinstance(columns, dict)
    return ColumnMapping(
        columns=columns,
        delimiter=options.get("delimiter"),  # type: ignore[arg-type]
        encoding=options.get("encoding"),  # type: ignore[arg-type]
    )


def test_corpus_is_large_enough() -> None:
    files = {path.name for path in BAD.iterdir()}
    assert len(files) >= 25
    assert {name for name, *_ in CORPUS} == files


@pytest.mark.parametrize(("name", "options", "where", "reason"), CORPUS, ids=[c[0] for c in CORPUS])
def test_bad_file_is_refused_and_store_unchanged(
    seeded: Settings, name: str, options: dict[str, object], where: str, reason: str
) -> None:
    before = snapshot(seeded.data_dir)
    with pytest.raises(InputError) as caught:
        import_files([BAD / name], mapping=_mapping(options), settings=seeded)
    error = caught.value
    text = str(error) + "\n" + "\n".join(str(p) for p in error.problems)
    assert name in text
    assert where in text
    assert reason in text
    assert snapshot(seeded.data_dir) == before


def test_ten_megabyte_field(seeded: Settings, tmp_path: Path) -> None:
    big = tmp_path / "ten_megabyte_field.csv"
    big.write_text(
        "case_id,activity,timestamp,note\nA,Register,12.4.2017 8.56,short\n"
        f"A,Interview,13.4.2017 9.00,{'x' * 10_000_000}\n",
        encoding="utf-8",
    )
    before = snapshot(seeded.data_dir)
    with pytest.raises(InputError) as caught:
        import_files([big], settings=seeded)
    assert "line 3" in str(caught.value.problems[0])
    assert "longer than 65536 characters" in caught.value.problems[0].reason
    assert caught.value.problems[0].column == "note"
    assert snapshot(seeded.data_dir) == before


def test_unknown_time_zone_is_a_config_error(seeded: Settings) -> None:
    with pytest.raises(SujuvaError, match="unknown time zone 'Mars/Olympus'"):
        override_settings(timezone="Mars/Olympus")


def test_problems_of_several_rows_are_all_counted(seeded: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "many.csv"
    rows = "".join(f"C{i},Register,not a time {i},TE\n" for i in range(120))
    bad.write_text("case_id,activity,timestamp,actor\n" + rows, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_files([bad], settings=seeded)
    assert caught.value.total == 120
    assert len(caught.value.problems) == seeded.max_problems_shown
    assert caught.value.problems[0].location == "line 2"
    assert caught.value.problems[-1].location == f"line {seeded.max_problems_shown + 1}"

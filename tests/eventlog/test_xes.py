"""Tests of the XES reader and writer (real files in tmp_path; pm4py as the oracle)."""

from __future__ import annotations

import contextlib
import datetime as dt
import gzip
import io
import math
import tracemalloc
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sujuva.errors import InputError, NotFoundError
from sujuva.eventlog.xes import REFUSED, UNMATCHED_START, iter_xes_batches, write_xes
from tests.conftest import BAD, public_log

UTC = dt.UTC
XES_NS = 'xmlns="http://www.xes-standard.org/"'


# --------------------------------------------------------------------------- helpers


def read(path: Path, **kwargs: Any) -> pa.Table:
    """All batches of a file as one table, columns unioned by name."""
    tables = [pa.Table.from_batches([batch]) for batch in iter_xes_batches(path, **kwargs)]
    return pa.concat_tables(tables, promote_options="permissive")


def rows(path: Path, **kwargs: Any) -> list[dict[str, Any]]:
    return read(path, **kwargs).to_pylist()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def pm4py() -> Any:
    with contextlib.redirect_stdout(io.StringIO()):
        return pytest.importorskip("pm4py")


def pm4py_frame(pm4py: Any, path: Path) -> pd.DataFrame:
    quiet = (contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()))
    with quiet[0], quiet[1], warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*r4pm.*")
        frame: pd.DataFrame = pm4py.read_xes(str(path))
    return frame


def parse_times(values: Any) -> pd.Series:
    return pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601")


def xes(body: str, *, root: str = f'<log xes.version="1.0" {XES_NS}>', end: str = "</log>") -> str:
    return f'<?xml version="1.0" encoding="UTF-8" ?>\n{root}\n{body}\n{end}\n'


def event(name: str | None, time: str | None, *extra: str) -> str:
    parts = [f'<string key="concept:name" value="{name}"/>' if name is not None else ""]
    parts.append(f'<date key="time:timestamp" value="{time}"/>' if time is not None else "")
    return "<event>" + "".join(parts) + "".join(extra) + "</event>"


def lifecycle(name: str, transition: str, time: str, *extra: str) -> str:
    return event(name, time, f'<string key="lifecycle:transition" value="{transition}"/>', *extra)


def trace(case: str, *events: str, attrs: str = "") -> str:
    return f'<trace><string key="concept:name" value="{case}"/>{attrs}{"".join(events)}</trace>'


def write_text(tmp_path: Path, text: str, name: str = "log.xes") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def canonical_table(n_cases: int = 3) -> pa.Table:
    """A small canonical table with every kind of column the writer supports."""
    base = dt.datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    data: dict[str, list[Any]] = {k: [] for k in ("case_id", "customer_id", "path", "activity")}
    data.update({k: [] for k in ("actor", "timestamp", "start_timestamp", "resource")})
    data.update({k: [] for k in ("channel", "outcome", "visits", "score", "urgent", "note")})
    data.update({"case:region": [], "case:opened": []})
    for c in range(n_cases):
        for e in range(c + 2):
            data["case_id"].append(f"case {c} <&>")
            data["customer_id"].append(f"cust-{c}")
            data["path"].append(f"path-{c % 2}")
            data["activity"].append(["Register", 'Check "docs"', "Décide & close"][e % 3])
            data["actor"].append(["TE-office", "Kela", "city"][(c + e) % 3])
            data["timestamp"].append(base + dt.timedelta(days=c, hours=e, milliseconds=e * 7))
            start = base + dt.timedelta(days=c, hours=e, minutes=-30) if e % 2 else None
            data["start_timestamp"].append(start)
            data["resource"].append(None if e == 1 else f"res-{e}")
            data["channel"].append(["web", "phone", None][e % 3])
            data["outcome"].append("ok" if e == c + 1 else None)
            data["visits"].append(e * 1000 - 3 if e != 2 else None)
            data["score"].append([0.1, -2.5e-8, 1e22][e % 3])
            data["urgent"].append([True, False, None][e % 3])
            data["note"].append(["", "line\nbreak\ttab", "ünïcode ✓ 😀"][e % 3])
            data["case:region"].append(f"region-{c}")
            data["case:opened"].append(base - dt.timedelta(days=1 + c))
    time = pa.timestamp("us", tz="UTC")
    types = {"timestamp": time, "start_timestamp": time, "case:opened": time}
    types.update({"visits": pa.int64(), "score": pa.float64(), "urgent": pa.bool_()})
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in data.items()})


# --------------------------------------------------------------------------- public logs


@pytest.mark.parametrize("name", ["running-example.xes", "receipt.xes.gz"])
def test_public_log_matches_pm4py(pm4py: Any, name: str) -> None:
    path = public_log(name)
    ours = read(path, batch_size=1000).to_pandas()
    theirs = pm4py_frame(pm4py, path)
    assert len(ours) == len(theirs)
    assert ours["case_id"].nunique() == theirs["case:concept:name"].nunique()
    assert ours["case_id"].tolist() == theirs["case:concept:name"].astype(str).tolist()
    assert ours["activity"].tolist() == theirs["concept:name"].tolist()
    assert parse_times(ours["timestamp"]).tolist() == theirs["time:timestamp"].tolist()
    for column, key in (("actor", "org:group"), ("resource", "org:resource")):
        expected = theirs[key].tolist() if key in theirs else [None] * len(theirs)
        got = ours[column].tolist()
        assert [None if pd.isna(v) else v for v in got] == [
            None if pd.isna(v) else v for v in expected
        ]
    assert ours["_row"].tolist() == list(range(len(ours)))


def test_receipt_shape_and_attributes() -> None:
    table = read(public_log("receipt.xes.gz"))
    assert table.num_rows == 8577
    assert len(set(table.column("case_id").to_pylist())) == 1434
    assert table.column("actor").null_count == 0
    assert "lifecycle:transition" not in table.column_names  # all complete
    assert "case:channel" in table.column_names and "concept:instance" in table.column_names
    assert table.column("_problem").null_count == table.num_rows
    first = table.slice(0, 1).to_pylist()[0]
    assert first["case_id"] == "case-10011" and first["_trace"] == 1 and first["_event"] == 1
    assert first["timestamp"] == "2011-10-11T13:45:40.276+02:00"
    assert first["case:department"] == "General"


def test_batches_are_bounded_and_numbered_in_source_order() -> None:
    batches = list(iter_xes_batches(public_log("running-example.xes"), batch_size=5))
    assert [b.num_rows for b in batches] == [5] * 8 + [2]
    table = pa.Table.from_batches(batches)
    assert table.column("_row").to_pylist() == list(range(42))
    traces = table.column("_trace").to_pylist()
    assert traces == sorted(traces) and traces[0] == 1 and traces[-1] == 6
    assert table.column("_event").to_pylist()[:3] == [1, 2, 3]


# --------------------------------------------------------------------------- lifecycle


def test_lifecycle_pairs_interleaved_starts_fifo(tmp_path: Path) -> None:
    body = trace(
        "c1",
        lifecycle(
            "A", "start", "2020-01-01T10:00:00+00:00", '<string key="org:resource" value="s"/>'
        ),
        lifecycle("A", "start", "2020-01-01T10:05:00+00:00"),
        lifecycle("B", "START", "2020-01-01T10:06:00+00:00"),
        lifecycle(
            "A", "complete", "2020-01-01T10:10:00+00:00", '<string key="org:resource" value="x"/>'
        ),
        lifecycle("B", "Complete", "2020-01-01T10:11:00+00:00"),
        lifecycle("A", "complete", "2020-01-01T10:20:00+00:00"),
        lifecycle("A", "complete", "2020-01-01T10:30:00+00:00"),
    )
    got = rows(write_text(tmp_path, xes(body)))
    summary = [(r["_event"], r["activity"], r["start_timestamp"], r["timestamp"]) for r in got]
    assert summary == [
        (4, "A", "2020-01-01T10:00:00+00:00", "2020-01-01T10:10:00+00:00"),
        (5, "B", "2020-01-01T10:06:00+00:00", "2020-01-01T10:11:00+00:00"),
        (6, "A", "2020-01-01T10:05:00+00:00", "2020-01-01T10:20:00+00:00"),
        (7, "A", None, "2020-01-01T10:30:00+00:00"),
    ]
    assert got[0]["resource"] == "x"  # the other attributes come from the complete event
    assert all(r["_problem"] is None for r in got)
    assert "lifecycle:transition" not in got[0]
    assert [r["_row"] for r in got] == [0, 1, 2, 3]


def test_unmatched_start_is_a_row_with_a_problem(tmp_path: Path) -> None:
    body = trace(
        "c1",
        lifecycle("A", "start", "2020-01-01T10:00:00+00:00"),
        lifecycle("B", "complete", "2020-01-01T10:01:00+00:00"),
        lifecycle("B", "start", "2020-01-01T10:02:00+00:00"),
    ) + trace("c2", lifecycle("A", "complete", "2020-01-01T11:00:00+00:00"))
    got = rows(write_text(tmp_path, xes(body)))
    summary = [(r["case_id"], r["_event"], r["activity"], r["_problem"]) for r in got]
    assert summary == [
        ("c1", 1, "A", UNMATCHED_START),
        ("c1", 2, "B", None),
        ("c1", 3, "B", UNMATCHED_START),
        ("c2", 1, "A", None),  # a start never pairs across traces
    ]
    assert got[0]["timestamp"] is None and got[0]["start_timestamp"] == "2020-01-01T10:00:00+00:00"
    assert got[3]["start_timestamp"] is None


def test_bad_file_start_without_complete() -> None:
    got = rows(BAD / "start_without_complete.xes")
    assert [(r["_event"], r["activity"], r["_problem"]) for r in got] == [
        (2, "register", None),
        (3, "decide", UNMATCHED_START),
    ]
    assert got[0]["start_timestamp"] == "2020-01-01T10:00:00.000+01:00"


def test_other_transitions_are_kept_as_an_attribute(tmp_path: Path) -> None:
    body = trace(
        "c1",
        lifecycle("A", "schedule", "2020-01-01T09:00:00+00:00"),
        lifecycle("A", "complete", "2020-01-01T10:00:00+00:00"),
        event("B", "2020-01-01T11:00:00+00:00"),
    )
    got = rows(write_text(tmp_path, xes(body)))
    assert [r["lifecycle:transition"] for r in got] == ["schedule", None, None]
    assert [r["start_timestamp"] for r in got] == [None, None, None]


def test_event_without_name_or_time_is_emitted_with_nulls() -> None:
    got = rows(BAD / "event_without_timestamp.xes")
    assert [(r["_event"], r["activity"], r["timestamp"]) for r in got] == [
        (1, "register", "2020-01-01T10:00:00.000+01:00"),
        (2, "decide", None),
        (3, None, "2020-01-01T12:00:00.000+01:00"),
    ]
    assert all(r["_problem"] is None for r in got)


# --------------------------------------------------------------------------- structure and types


@pytest.mark.parametrize(
    ("root", "end"),
    [
        ('<log xes.version="1.0">', "</log>"),
        (f'<log xes.version="2.0" {XES_NS}>', "</log>"),
        ('<x:log xmlns:x="http://www.xes-standard.org/">', "</x:log>"),
    ],
)
def test_namespaces_are_ignored(tmp_path: Path, root: str, end: str) -> None:
    body = trace("c1", event("A", "2020-01-01T10:00:00+00:00"), attrs='<int key="n" value="3"/>')
    if root.startswith("<x:"):
        body = body.replace("<", "<x:").replace("<x:/", "</x:")
    got = rows(write_text(tmp_path, xes(body, root=root, end=end)))
    assert [(r["case_id"], r["activity"], r["case:n"]) for r in got] == [("c1", "A", 3)]


def test_reads_pm4py_output(pm4py: Any, tmp_path: Path) -> None:
    frame = pm4py_frame(pm4py, public_log("running-example.xes"))
    path = tmp_path / "from-pm4py.xes"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        pm4py.write_xes(frame, str(path))
    assert 'xes.version="1849-2016"' in path.read_text()
    ours = read(path).to_pandas()
    assert ours["case_id"].tolist() == frame["case:concept:name"].tolist()
    assert ours["activity"].tolist() == frame["concept:name"].tolist()
    assert ours["resource"].tolist() == frame["org:resource"].tolist()
    assert parse_times(ours["timestamp"]).tolist() == frame["time:timestamp"].tolist()


@pytest.mark.parametrize(
    ("encoding", "prefix"), [("ISO-8859-1", b""), ("UTF-8", b"\xef\xbb\xbf"), ("UTF-16", b"")]
)
def test_declared_encodings_and_bom(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = xes(trace("Käsittely", event("Päätös € ✓"[: 6 if encoding == "ISO-8859-1" else 10],
                                        "2020-01-01T10:00:00+00:00")))  # fmt: skip
    text = text.replace('encoding="UTF-8"', f'encoding="{encoding}"').replace("\r\n", "\n")
    path = tmp_path / "encoded.xes"
    path.write_bytes(prefix + text.encode(encoding))
    got = rows(path)
    assert got[0]["case_id"] == "Käsittely"
    assert got[0]["activity"] == ("Päätös" if encoding == "ISO-8859-1" else "Päätös € ✓")


def test_attribute_types_and_names(tmp_path: Path) -> None:
    extra = (
        '<int key="count" value="-42"/><float key="cost" value="1.5E3"/>'
        '<boolean key="ok" value="true"/><date key="due" value="2020-02-02T00:00:00.000+02:00"/>'
        '<id key="uid" value="a-1"/><string key="org:group" value="Kela"/>'
        '<string key="activity" value="clash"/><string key="customer_id" value="event-cust"/>'
        '<list key="items"><values><string key="x" value="nested"/></values></list>'
        '<string key="parent" value="p"><string key="child" value="ignored"/></string>'
    )
    attrs = '<string key="customer_id" value="trace-cust"/><string key="path" value="P1"/>'
    attrs += (
        '<float key="budget" value="NaN"/><container key="box"><int key="y" value="1"/></container>'
    )
    body = trace("c1", event("A", "2020-01-01T10:00:00+00:00", extra), attrs=attrs)
    body += trace("c2", event("B", "2020-01-01T11:00:00+00:00"), attrs=attrs)
    table = read(write_text(tmp_path, xes(body)))
    schema = table.schema
    assert schema.field("count").type == pa.int64()
    assert schema.field("cost").type == pa.float64()
    assert schema.field("ok").type == pa.bool_()
    assert schema.field("due").type == pa.string() and schema.field("uid").type == pa.string()
    assert schema.field("case:budget").type == pa.float64()
    first, second = table.to_pylist()
    assert (first["count"], first["cost"], first["ok"], first["due"]) == (
        -42,
        1500.0,
        True,
        "2020-02-02T00:00:00.000+02:00",
    )
    assert first["actor"] == "Kela" and first["xes:activity"] == "clash"
    assert first["customer_id"] == "event-cust" and second["customer_id"] == "trace-cust"
    assert first["path"] == "P1" and math.isnan(first["case:budget"])
    assert first["parent"] == "p"
    for absent in ("items", "x", "child", "case:box", "y", "box"):
        assert absent not in table.column_names
    assert second["count"] is None


def test_conflicting_types_fall_back_to_string(tmp_path: Path) -> None:
    body = trace(
        "c1",
        event("A", "2020-01-01T10:00:00+00:00", '<int key="v" value="1"/>'),
        event("B", "2020-01-01T11:00:00+00:00", '<string key="v" value="two"/>'),
        event("C", "2020-01-01T12:00:00+00:00", '<int key="bad" value="1.5"/>'),
        event("D", "2020-01-01T12:00:00+00:00", '<boolean key="yes" value="maybe"/>'),
        event("E", "2020-01-01T12:00:00+00:00", '<boolean key="mix" value="1"/>'),
        event("F", "2020-01-01T12:00:00+00:00", '<int key="mix" value="0"/>'),
    )
    table = read(write_text(tmp_path, xes(body)))
    assert table.column("mix").to_pylist() == [None] * 4 + ["1", "0"]
    assert table.column("v").to_pylist() == ["1", "two", None, None, None, None]
    assert table.column("bad").to_pylist() == [None, None, "1.5", None, None, None]
    assert table.column("yes").to_pylist() == [None, None, None, "maybe", None, None]


def test_event_value_wins_over_trace_value_row_by_row(tmp_path: Path) -> None:
    owner = '<string key="customer_id" value="from-trace"/>'
    body = trace(
        "c1",
        event("A", "2020-01-01T10:00:00+00:00"),
        event("B", "2020-01-01T10:01:00+00:00", '<string key="customer_id" value="from-event"/>'),
        event("C", "2020-01-01T10:02:00+00:00"),
        attrs=owner,
    ) + trace("c2", event("D", "2020-01-01T11:00:00+00:00"))
    got = [r["customer_id"] for r in rows(write_text(tmp_path, xes(body)))]
    assert got == ["from-trace", "from-event", "from-trace", None]


def test_gzip_is_detected_by_magic_bytes(tmp_path: Path) -> None:
    text = xes(trace("c1", event("A", "2020-01-01T10:00:00+00:00")))
    disguised = tmp_path / "compressed.xes"
    disguised.write_bytes(gzip.compress(text.encode()))
    plain = write_text(tmp_path, text, name="not-compressed.xes.gz")
    assert rows(disguised)[0]["activity"] == "A"
    assert rows(plain)[0]["activity"] == "A"


def test_display_name_names_the_file_in_errors() -> None:
    with pytest.raises(InputError) as caught:
        list(iter_xes_batches(BAD / "unclosed.xes", display_name="upload.xes"))
    assert caught.value.problems[0].file == "upload.xes"


def test_missing_file_and_bad_batch_size(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        list(iter_xes_batches(tmp_path / "nope.xes"))
    with pytest.raises(Exception, match="batch_size"):
        list(iter_xes_batches(public_log("running-example.xes"), batch_size=0))


def test_reader_memory_does_not_grow_with_file_size(tmp_path: Path) -> None:
    def peak(n_traces: int) -> int:
        path = tmp_path / f"big{n_traces}.xes"
        body = "\n".join(
            trace(f"c{t}", *(event(f"A{e}", "2020-01-01T10:00:00+00:00") for e in range(10)))
            for t in range(n_traces)
        )
        path.write_text(xes(body))
        tracemalloc.start()
        count = sum(b.num_rows for b in iter_xes_batches(path, batch_size=500))
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == n_traces * 10
        return top

    small, large = peak(1_000), peak(10_000)
    assert large < 2 * small + 1_000_000, (small, large)


# --------------------------------------------------------------------------- bad input


FATAL = [
    ("unclosed.xes", "line 10", "malformed XML"),
    ("mismatched_tags.xes", "line 8", "mismatched tag"),
    ("doctype_billion_laughs.xes", "line 2", REFUSED),
    ("external_entity.xes", "line 2", REFUSED),
    ("external_dtd.xes", "line 2", REFUSED),
    ("doctype_after_root.xes", "line 3", "malformed XML"),
    ("undefined_entity.xes", "line 6", "undefined entity"),
    ("not_xes_root.xes", "line 2", "not an XES log"),
    ("empty.xes", "", "empty"),
    ("no_traces.xes", "", "no traces"),
    ("bad_gzip.xes.gz", "", "corrupt gzip"),
]


@pytest.mark.parametrize(("name", "line", "reason"), FATAL)
def test_fatal_files_raise_located_input_errors(name: str, line: str, reason: str) -> None:
    yielded = []
    with pytest.raises(InputError) as caught:
        for batch in iter_xes_batches(BAD / name):
            yielded.append(batch)
    error = caught.value
    assert yielded == []
    assert name in str(error) and reason in str(error)
    assert len(error.problems) == 1
    problem = error.problems[0]
    assert problem.file == name and reason in problem.reason
    assert problem.location.startswith(line) if line else problem.location == ""
    assert error.to_dict()["error"]["kind"] == "input"
    for secret in ("lol", "root:", "passwd", "boom"):
        assert secret not in str(error.to_dict())


def test_traces_without_events_are_an_input_error(tmp_path: Path) -> None:
    path = write_text(tmp_path, xes(trace("c1") + trace("c2")))
    with pytest.raises(InputError, match="no events"):
        list(iter_xes_batches(path))


def test_at_least_eight_bad_xes_files_exist() -> None:
    assert len([p for p in BAD.iterdir() if p.name.endswith((".xes", ".xes.gz"))]) >= 8


def test_truncated_gzip_is_an_input_error(tmp_path: Path) -> None:
    data = gzip.compress(xes(trace("c1", event("A", "2020-01-01T10:00:00+00:00"))).encode())
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.xes\.gz"):
        list(iter_xes_batches(path))


def test_doctype_after_a_long_prolog_is_refused_before_any_row(tmp_path: Path) -> None:
    """The refusal also works when the DOCTYPE arrives in a later chunk of the file."""
    path = tmp_path / "late.xes"
    text = (BAD / "doctype_billion_laughs.xes").read_text()
    declaration, rest = text.split("\n", 1)
    path.write_text(f"{declaration}\n<!-- {'x' * 3_000_000} -->\n{rest}")
    yielded = []
    with pytest.raises(InputError, match="refused for safety") as caught:
        for batch in iter_xes_batches(path, batch_size=1):
            yielded.append(batch)
    assert yielded == [] and caught.value.problems[0].location == "line 3"


# --------------------------------------------------------------------------- writer


def test_round_trip_through_our_reader(tmp_path: Path) -> None:
    table = canonical_table()
    path = tmp_path / "out.xes"
    assert write_xes(table, path) == table.num_rows
    back = read(path)
    original = table.to_pylist()
    got = back.to_pylist()
    assert len(got) == len(original)
    assert back.schema.field("visits").type == pa.int64()
    assert back.schema.field("score").type == pa.float64()
    assert back.schema.field("urgent").type == pa.bool_()
    for want, row in zip(original, got, strict=True):
        for column in ("case_id", "customer_id", "path", "activity", "actor", "resource"):
            assert row[column] == want[column], column
        for column in ("channel", "outcome", "visits", "score", "urgent", "note"):
            assert row[column] == want[column], column
        assert row["case:region"] == want["case:region"]
        for column in ("timestamp", "start_timestamp", "case:opened"):
            value = row[column]
            assert (value and dt.datetime.fromisoformat(value)) == want[column], column
        assert row["_problem"] is None
    assert back.column("_trace").to_pylist() == [1, 1, 2, 2, 2, 3, 3, 3, 3]


def test_round_trip_through_pm4py(pm4py: Any, tmp_path: Path) -> None:
    table = canonical_table()
    path = tmp_path / "out.xes.gz"
    write_xes(table, path)
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    frame = pm4py_frame(pm4py, path)
    assert frame["case:concept:name"].tolist() == table.column("case_id").to_pylist()
    assert frame["concept:name"].tolist() == table.column("activity").to_pylist()
    assert frame["org:group"].tolist() == table.column("actor").to_pylist()
    resources = [None if pd.isna(v) else v for v in frame["org:resource"]]
    assert resources == table.column("resource").to_pylist()
    assert list(frame["time:timestamp"]) == table.column("timestamp").to_pylist()
    starts = [None if pd.isna(v) else v.to_pydatetime() for v in frame["start_timestamp"]]
    assert starts == table.column("start_timestamp").to_pylist()
    assert set(frame["lifecycle:transition"]) == {"complete"}
    assert frame["case:customer_id"].tolist() == table.column("customer_id").to_pylist()


def test_public_log_survives_write_and_pm4py(pm4py: Any, tmp_path: Path) -> None:
    source = public_log("receipt.xes.gz")
    ours = read(source).to_pandas()
    ours["timestamp"] = parse_times(ours["timestamp"])
    out = tmp_path / "receipt-again.xes"
    write_xes(pa.Table.from_pandas(ours, preserve_index=False), out)
    before, after = pm4py_frame(pm4py, source), pm4py_frame(pm4py, out)
    for key in ("case:concept:name", "concept:name", "time:timestamp", "org:group", "org:resource"):
        assert before[key].tolist() == after[key].tolist(), key
    assert read(out).column("case:channel").to_pylist() == ours["case:channel"].tolist()


def test_cases_spanning_batches_stay_one_trace(tmp_path: Path) -> None:
    table = canonical_table(4)
    batches = table.to_batches(max_chunksize=3)
    assert len(batches) > 3
    path = tmp_path / "split.xes"
    assert write_xes(iter(batches), path) == table.num_rows
    text = path.read_text()
    assert text.count("<trace>") == 4 and text.count("</trace>") == 4
    back = read(path)
    assert back.column("case_id").to_pylist() == table.column("case_id").to_pylist()
    assert len(set(back.column("_trace").to_pylist())) == 4


def test_writer_escapes_and_replaces_characters_xml_cannot_hold(tmp_path: Path) -> None:
    weird = "a<b>&c\"d'e\tf\ng\rh\x00i\x1bj\ufffek"
    table = canonical_table(1).slice(0, 1)
    table = table.set_column(table.column_names.index("activity"), "activity", pa.array([weird]))
    table = table.append_column('key <&"> ü', pa.array(["v"]))
    path = tmp_path / "weird.xes"
    write_xes(table, path)
    row = rows(path)[0]
    assert row["activity"] == "a<b>&c\"d'e\tf\ng\rh\ufffdi\ufffdj\ufffdk"
    assert row['key <&"> ü'] == "v"


def test_writer_gzip_flag_and_empty_input(tmp_path: Path) -> None:
    path = tmp_path / "plain-name.xes"
    write_xes(canonical_table(1), path, gzip=True)
    assert path.read_bytes()[:2] == b"\x1f\x8b" and len(rows(path)) == 2
    forced = tmp_path / "forced.xes.gz"
    write_xes(canonical_table(1), forced, gzip=False)
    assert forced.read_bytes().startswith(b"<?xml")
    empty = tmp_path / "empty.xes"
    assert write_xes(canonical_table(1).slice(0, 0), empty) == 0
    with pytest.raises(InputError, match="no traces"):
        list(iter_xes_batches(empty))


def test_writer_rejects_missing_columns_and_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.xes"
    with pytest.raises(InputError, match="timestamp"):
        write_xes(canonical_table(1).drop_columns(["timestamp"]), path)
    assert list(tmp_path.iterdir()) == []


def test_writer_streams_incrementally(tmp_path: Path) -> None:
    table = canonical_table(200)
    path = tmp_path / "stream.xes"
    sizes: list[int] = []

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in table.to_batches(max_chunksize=2_000):
            yield batch
            partial = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
            sizes.append(partial[0].stat().st_size)

    assert write_xes(batches(), path) == table.num_rows
    assert len(sizes) > 3 and sizes[0] > 100_000 and sizes == sorted(sizes)
    assert sizes[0] < path.stat().st_size / 3


def test_writer_microseconds_and_milliseconds(tmp_path: Path) -> None:
    table = canonical_table(1)
    path = tmp_path / "ms.xes"
    write_xes(table, path)
    assert 'value="2024-03-01T08:00:00.000+00:00"' in path.read_text()
    precise = pa.array([dt.datetime(2024, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)] * 2,
                       pa.timestamp("us", tz="UTC"))  # fmt: skip
    table = table.set_column(table.column_names.index("timestamp"), "timestamp", precise)
    write_xes(table, path)
    assert rows(path)[0]["timestamp"] == "2024-01-01T00:00:00.123456+00:00"


# --------------------------------------------------------------------------- property


XML_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(map(chr, [*range(9), 11, 12, *range(14, 32), 0xFFFE, 0xFFFF])),
    ),
    max_size=12,
)
TIMES = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1), timezones=st.just(UTC)
)
EVENT = st.fixed_dictionaries(
    {
        "activity": XML_TEXT,
        "timestamp": TIMES,
        "resource": st.none() | XML_TEXT,
        "amount": st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1),
        "ratio": st.none() | st.floats(allow_nan=False),
        "flag": st.none() | st.booleans(),
        "memo <&>": st.none() | XML_TEXT,
    }
)
LOG = st.lists(
    st.tuples(XML_TEXT, XML_TEXT, st.lists(EVENT, min_size=1, max_size=4)),
    min_size=1,
    max_size=5,
    unique_by=lambda case: case[0],
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(log=LOG)
def test_property_write_then_read_is_lossless(tmp_path: Path, log: list[Any]) -> None:
    flat = [
        {"case_id": case, "case:group": group, **ev} for case, group, events in log for ev in events
    ]
    types = {"timestamp": pa.timestamp("us", tz="UTC"), "amount": pa.int64()}
    types.update({"ratio": pa.float64(), "flag": pa.bool_()})
    table = pa.table(
        {k: pa.array([r[k] for r in flat], types.get(k, pa.string())) for k in flat[0]}
    )
    path = tmp_path / "prop.xes"
    assert write_xes(table, path) == len(flat)
    back = read(path, batch_size=3).to_pylist()
    assert len(back) == len(flat)
    for want, got in zip(flat, back, strict=True):
        assert got["case_id"] == want["case_id"] and got["activity"] == want["activity"]
        assert got["case:group"] == want["case:group"]
        assert dt.datetime.fromisoformat(got["timestamp"]) == want["timestamp"]
        for key in ("resource", "amount", "ratio", "flag", "memo <&>"):
            value = got.get(key)
            assert value == want[key] and type(value) is type(want[key]), key

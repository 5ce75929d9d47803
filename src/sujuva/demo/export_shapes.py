"""The shapes of the demo organisations' own exports: columns, value forms and file writers.

A :class:`Shape` lists a source's columns (header, what each holds, how its values are written)
and its file options; :func:`shape_table` turns routed event rows into that source's table and
the writers put it into a CSV (any delimiter and encoding), an Excel workbook, a Parquet file or
an XES log. :func:`mapping_text` gives the matching mapping file (TOML) for the import side.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import xlsxwriter  # type: ignore[import-untyped]

from sujuva.demo.catalogue import ENTREPRENEUR, GRADUATE, JOB_SEARCH, WORK_TO_WORK
from sujuva.demo.timekeeping import I64, utc_to_local
from sujuva.eventlog import model as m
from sujuva.eventlog.xes_write import write_xes

#: Paths as the TE Office names them (the column ``Palvelupolku``).
FINNISH_PATHS: Final = {
    ENTREPRENEUR: "Yrittäjyys",
    GRADUATE: "Nuorisotakuu",
    JOB_SEARCH: "Työnhaku",
    WORK_TO_WORK: "Muutosturva",
}
#: Which routed column each mapping target is read from (others: the column of that name).
FIELDS: Final = {m.CASE_ID: "own_case", "person": "hetu", "firm": "firm_id"}
KEY_TARGETS: Final = ("person", "firm", "customer")
#: Event fields a shape must carry whenever any of its rows has a value there.
CARRIED: Final = (m.START_TIMESTAMP, m.RESOURCE, m.CHANNEL, m.OUTCOME, "rating")
EXCEL_TIME_FORMAT: Final = "d.m.yyyy h:mm:ss"
EXCEL_EPOCH_DAYS: Final = 25_569  # 1970-01-01 as an Excel serial day
WORKBOOK_DATE: Final = dt.datetime(2019, 1, 7, 9, 0, 0)
LIFECYCLE: Final = "lifecycle:transition"
_CSV_SLICE: Final = 200_000
_COPY_CHUNK: Final = 1 << 20
_DAY: Final = 86_400


@dataclass(frozen=True)
class Col:
    """One column of an export: its header, its mapping target and the form of its values.

    ``target`` is a canonical column (``case_id`` = the source's own case number), a key kind
    (``person``, ``firm``) or an attribute (``rating``, ``case:municipality``).
    """

    header: str
    target: str
    form: str = "as_is"


@dataclass(frozen=True)
class Shape:
    """How one organisation exports its events."""

    source: str
    kind: str  # csv | excel | parquet | xes
    columns: tuple[Col, ...]
    constants: dict[str, str] = field(default_factory=dict)
    delimiter: str = ","
    encoding: str = "utf-8"
    newline: str = "\n"
    sheet: str = "Tapahtumat"


def _cols(*specs: tuple[str, str] | tuple[str, str, str]) -> tuple[Col, ...]:
    return tuple(Col(*spec) for spec in specs)


_FI_ATTRIBUTES: Final = (
    ("Ikäryhmä", "case:age_group"),
    ("Koulutus", "case:education"),
    ("Kotikunta", "case:municipality"),
    ("Toimiala", "case:sector"),
)
TE_OFFICE: Final = Shape(
    "te-office",
    "csv",
    _cols(
        ("Asiakkuus", m.CASE_ID),
        ("Henkilötunnus", "person"),
        ("Palvelupolku", m.PATH, "fi_path"),
        ("Toimenpide", m.ACTIVITY),
        ("Alkoi", m.START_TIMESTAMP, "fi_time"),
        ("Valmis", m.TIMESTAMP, "fi_time"),
        ("Käsittelijä", m.RESOURCE),
        ("Kanava", m.CHANNEL),
        ("Tulos", m.OUTCOME),
        ("Arvio", "rating"),
        *_FI_ATTRIBUTES,
    ),
    constants={m.ACTOR: "TE Office"},
    delimiter=";",
    encoding="cp1252",
    newline="\r\n",
)


def municipality_shape(source: str, actor: str, path: str) -> Shape:
    """A municipality's Excel export (sheet ``Tapahtumat``, header in row 1)."""
    return Shape(
        source,
        "excel",
        _cols(
            ("Asiakasnro", m.CASE_ID),
            ("Hetu", "person"),
            ("Tehtävä", m.ACTIVITY),
            ("Alkoi", m.START_TIMESTAMP, "excel_time"),
            ("Pvm", m.TIMESTAMP, "excel_time"),
            ("Käsittelijä", m.RESOURCE),
            ("Kanava", m.CHANNEL),
            ("Tulos", m.OUTCOME),
            ("Arvio", "rating"),
            ("Kotikunta", "case:municipality"),
        ),
        constants={m.ACTOR: actor, m.PATH: path},
    )


ENTERPRISE_AGENCY: Final = Shape(
    "enterprise-agency",
    "csv",
    _cols(
        ("Contact ID", m.CASE_ID),
        ("Personal identity code", "person"),
        ("Business ID", "firm"),
        ("Activity", m.ACTIVITY),
        ("Start", m.START_TIMESTAMP, "iso_offset"),
        ("Date", m.TIMESTAMP, "iso_offset"),
        ("Staff", m.RESOURCE),
        ("Channel", m.CHANNEL),
        ("Outcome", m.OUTCOME),
        ("Rating", "rating"),
        ("Municipality", "case:municipality"),
        ("Sector", "case:sector"),
        ("Age group", "case:age_group"),
        ("Education", "case:education"),
    ),
    constants={m.ACTOR: "Enterprise Agency", m.PATH: ENTREPRENEUR},
    encoding="utf-8-sig",
    newline="\r\n",
)
JOSEK: Final = Shape(
    "josek",
    "csv",
    _cols(
        ("tapausnro", m.CASE_ID),
        ("hetu", "person"),
        ("palvelu", m.ACTIVITY),
        ("alkoi", m.START_TIMESTAMP, "iso_local"),
        ("paattyi", m.TIMESTAMP, "iso_local"),
        ("neuvoja", m.RESOURCE),
        ("kanava", m.CHANNEL),
        ("tulos", m.OUTCOME),
        ("arvosana", "rating"),
        ("kunta", "case:municipality"),
        ("toimiala", "case:sector"),
        ("ikaryhma", "case:age_group"),
        ("koulutus", "case:education"),
    ),
    constants={m.ACTOR: "Josek", m.PATH: ENTREPRENEUR},
)
#: The colleges' XES log: the reader's column names (trace ``concept:name`` = the student
#: number, trace ``hetu`` = ``case:hetu``, ``org:group`` = actor, ``org:resource`` = resource).
COLLEGES: Final = Shape(
    "colleges",
    "xes",
    _cols(
        (m.CASE_ID, m.CASE_ID),
        ("case:hetu", "person"),
        (m.ACTIVITY, m.ACTIVITY),
        (m.TIMESTAMP, m.TIMESTAMP),
        (m.START_TIMESTAMP, m.START_TIMESTAMP),
        (m.ACTOR, m.ACTOR),
        (m.RESOURCE, m.RESOURCE),
        (m.CHANNEL, m.CHANNEL),
        (m.OUTCOME, m.OUTCOME),
        ("rating", "rating"),
        ("case:age_group", "case:age_group"),
        ("case:education", "case:education"),
        ("case:municipality", "case:municipality"),
        ("case:sector", "case:sector"),
    ),
)
FINNVERA: Final = Shape(
    "finnvera",
    "parquet",
    _cols(
        ("asia", m.CASE_ID),
        ("y_tunnus", "firm"),
        ("organisaatio", m.ACTOR),
        ("palvelu", m.ACTIVITY),
        ("alkoi", m.START_TIMESTAMP, "ts_zone"),
        ("valmis", m.TIMESTAMP, "ts_zone"),
        ("kasittelija", m.RESOURCE),
        ("kanava", m.CHANNEL),
        ("tulos", m.OUTCOME),
        ("arvio", "rating"),
        ("toimiala", "case:sector"),
    ),
    constants={m.PATH: ENTREPRENEUR},
)
EMPLOYERS: Final = Shape(
    "employers",
    "parquet",
    _cols(
        ("tunniste", m.CASE_ID),
        ("henkilotunnus", "person"),
        ("y_tunnus", "firm"),
        ("lahde", m.ACTOR),
        ("tapahtuma", m.ACTIVITY),
        ("aika", m.TIMESTAMP, "ts_local"),
        ("kanava", m.CHANNEL),
        ("tulos", m.OUTCOME),
        ("arvio", "rating"),
        ("kotikunta", "case:municipality"),
        ("toimiala", "case:sector"),
        ("ikaryhma", "case:age_group"),
        ("koulutus", "case:education"),
    ),
)
PARTNERS: Final = Shape(
    "partners",
    "parquet",
    _cols(
        ("organisation", m.ACTOR),
        ("reference", m.CASE_ID),
        ("hetu", "person"),
        ("service", m.ACTIVITY),
        ("started", m.START_TIMESTAMP, "ts_utc"),
        ("completed", m.TIMESTAMP, "ts_utc"),
        ("staff", m.RESOURCE),
        ("channel", m.CHANNEL),
        ("outcome", m.OUTCOME),
        ("rating", "rating"),
    ),
)

# --- values ----------------------------------------------------------------------------------


def utc_seconds(values: pa.ChunkedArray | pa.Array) -> tuple[I64, pa.Array]:
    """UTC seconds (0 where null) and the validity mask of a timestamp column."""
    valid = pc.is_valid(values)
    micros = pc.fill_null(pc.cast(values, pa.int64()), 0).to_numpy()
    return np.asarray(micros, dtype=np.int64) // 1_000_000, valid


def _local_naive(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Helsinki wall-clock times as naive ``timestamp[s]`` (null kept)."""
    seconds, valid = utc_seconds(values)
    local = pa.array(utc_to_local(seconds), pa.int64()).cast(pa.timestamp("s"))
    return pc.if_else(valid, local, pa.scalar(None, pa.timestamp("s")))


def _finnish_time(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """``12.4.2017 8.56.03``: no leading zeros on day, month and hour."""
    local = _local_naive(values)
    parts = [pc.cast(pc.day(local), pa.string()), ".", pc.cast(pc.month(local), pa.string()), "."]
    parts += [pc.cast(pc.year(local), pa.string()), " ", pc.cast(pc.hour(local), pa.string())]
    parts += [".", pc.strftime(local, format="%M.%S")]
    return pc.binary_join_element_wise(*parts, "")


def _iso_offset(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """``2017-04-12T08:56:03+03:00`` (Helsinki time with its UTC offset)."""
    seconds, valid = utc_seconds(values)
    hours = (utc_to_local(seconds) - seconds) // 3_600
    offset = pc.binary_join_element_wise("+0", pc.cast(pa.array(hours), pa.string()), ":00", "")
    text = pc.strftime(_local_naive(values), format="%Y-%m-%dT%H:%M:%S")
    return pc.if_else(valid, pc.binary_join_element_wise(text, offset, ""), None)


def _excel_serial(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Excel serial days of the Helsinki wall-clock time (float64; null kept)."""
    seconds, valid = utc_seconds(values)
    serial = utc_to_local(seconds) / _DAY + EXCEL_EPOCH_DAYS
    return pc.if_else(valid, pa.array(serial, pa.float64()), None)


def _finnish_path(values: pa.ChunkedArray | pa.Array) -> pa.Array:
    keys = pa.array(list(FINNISH_PATHS))
    return pc.take(pa.array(list(FINNISH_PATHS.values())), pc.index_in(values, value_set=keys))


FORMS: Final[dict[str, Callable[[pa.ChunkedArray], pa.Array | pa.ChunkedArray]]] = {
    "as_is": lambda values: values,
    "fi_path": _finnish_path,
    "fi_time": _finnish_time,
    "iso_offset": _iso_offset,
    "iso_local": lambda values: pc.strftime(_local_naive(values), format="%Y-%m-%d %H:%M:%S"),
    "excel_time": _excel_serial,
    "ts_local": _local_naive,
    "ts_zone": lambda values: pc.cast(values, pa.timestamp("us", tz="Europe/Helsinki")),
    "ts_utc": lambda values: pc.cast(values, pa.timestamp("ms", tz="UTC")),
}


def shape_table(rows: pa.Table, shape: Shape) -> pa.Table:
    """The source's own table of routed rows (see :mod:`sujuva.demo.exports` for their columns),
    in the order given. Raises :class:`RuntimeError` when the shape would lose a value."""
    targets = {col.target for col in shape.columns}
    for name in CARRIED:
        if name not in targets and rows[name].null_count < rows.num_rows:
            raise RuntimeError(f"{shape.source}: the export has no column for {name}")
    for name, value in shape.constants.items():
        if not pc.all(pc.equal(rows[name], value)).as_py() and rows.num_rows:
            raise RuntimeError(f"{shape.source}: not every row has {name} {value!r}")
    columns = [FORMS[col.form](rows[FIELDS.get(col.target, col.target)]) for col in shape.columns]
    return pa.table(columns, names=[col.header for col in shape.columns])


# --- writers ---------------------------------------------------------------------------------


def write_shaped(table: pa.Table, shape: Shape, path: Path) -> None:
    """Write a shaped table as the shape's kind of file (XES: see :func:`write_college_xes`)."""
    if shape.kind == "csv":
        write_csv(table, path, delimiter=shape.delimiter, encoding=shape.encoding, nl=shape.newline)
    elif shape.kind == "excel":
        write_excel(table, path, sheet=shape.sheet)
    elif shape.kind == "parquet":
        pq.write_table(table, path, compression="zstd")
    else:
        raise ValueError(f"{shape.source}: {shape.kind} is written by its own writer")


def _csv_text(values: pa.ChunkedArray | pa.Array, delimiter: str) -> pa.Array:
    text = pc.fill_null(pc.cast(values, pa.string()), "")
    special = pc.match_substring_regex(text, f'[{re.escape(delimiter)}"\r\n]')
    if not pc.any(special).as_py():
        return text
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(text, '"', '""'), '"', "")
    return pc.if_else(special, quoted, text)


def write_csv(table: pa.Table, path: Path, *, delimiter: str, encoding: str, nl: str) -> None:
    """A CSV as a spreadsheet program writes it: quoted only where needed, no trailing blank."""
    with path.open("wb") as out:
        header = delimiter.join(table.column_names) + nl
        out.write(header.encode(encoding))
        encoding = "utf-8" if encoding == "utf-8-sig" else encoding  # the BOM once, at the top
        for offset in range(0, table.num_rows, _CSV_SLICE):
            piece = table.slice(offset, _CSV_SLICE).combine_chunks()
            cells = [_csv_text(piece.column(i), delimiter) for i in range(piece.num_columns)]
            lines = pc.binary_join_element_wise(*cells, delimiter)
            if isinstance(lines, pa.ChunkedArray):
                lines = lines.combine_chunks()
            bounds = pa.array([0, len(lines)], pa.int32())
            body = pc.binary_join(pa.ListArray.from_arrays(bounds, lines), nl)[0].as_py()
            out.write((body + nl).encode(encoding))


def write_excel(table: pa.Table, path: Path, *, sheet: str) -> None:
    """An .xlsx workbook: one sheet, the header in row 1, times as real Excel date-time cells
    (float64 columns) and blanks where null."""
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"created": WORKBOOK_DATE, "author": "", "comments": ""})
    sheet_ = workbook.add_worksheet(sheet)
    stamp = workbook.add_format({"num_format": EXCEL_TIME_FORMAT})
    bold = workbook.add_format({"bold": True})
    sheet_.write_row(0, 0, table.column_names, bold)
    kinds = [pa.types.is_floating(col.type) for col in table.columns]
    columns = [col.to_pylist() for col in table.columns]
    for row, values in enumerate(zip(*columns, strict=True), start=1):
        for col, value in enumerate(values):
            if value is None:
                continue
            if kinds[col]:
                sheet_.write_number(row, col, value, stamp)
            elif isinstance(value, int):
                sheet_.write_number(row, col, value)
            else:
                sheet_.write_string(row, col, value)
    sheet_.set_column(0, len(columns) - 1, 18)
    workbook.close()


def write_college_xes(rows: pa.Table, path: Path) -> None:
    """The colleges' XES log: one trace per own case number (the rows are grouped by it), trace
    attributes ``concept:name`` and ``hetu`` (and the case attributes), and per step a ``start``
    event (where the step has a start time) just before its ``complete`` event."""
    n = rows.num_rows
    has_start = pc.is_valid(rows[m.START_TIMESTAMP]).to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(has_start)
    trace = {
        m.CASE_ID: rows["own_case"],
        "case:hetu": rows["hetu"],
        **{name: rows[name] for name in rows.column_names if name.startswith(m.CASE_ATTR_PREFIX)},
    }
    event = {name: rows[name] for name in (m.ACTIVITY, m.ACTOR, m.RESOURCE)}
    complete = pa.table(
        {
            **trace,
            **event,
            m.TIMESTAMP: rows[m.TIMESTAMP],
            m.CHANNEL: rows[m.CHANNEL],
            m.OUTCOME: rows[m.OUTCOME],
            "rating": rows["rating"],
            LIFECYCLE: pa.repeat(pa.scalar("complete"), n),
            "_order": pa.array(np.arange(n, dtype=np.int64) * 2 + 1),
        }
    )
    index = pa.array(starts)
    begin = pa.table(
        {
            **{name: pc.take(col, index) for name, col in {**trace, **event}.items()},
            m.TIMESTAMP: pc.take(rows[m.START_TIMESTAMP], index),
            m.CHANNEL: pa.nulls(starts.size, pa.string()),
            m.OUTCOME: pa.nulls(starts.size, pa.string()),
            "rating": pa.nulls(starts.size, rows.schema.field("rating").type),
            LIFECYCLE: pa.repeat(pa.scalar("start"), starts.size),
            "_order": pa.array(starts * 2),
        }
    ).cast(complete.schema)
    both = pa.concat_tables([complete, begin]).sort_by("_order").drop_columns(["_order"])
    if not path.name.endswith(".gz"):
        write_xes(both, path)
        return
    # gzipped here: write_xes's own gzip header names its temporary file, which varies by run
    plain = path.with_name(f".{path.name}.xes")
    try:
        write_xes(both, plain, gzip=False)
        with (
            plain.open("rb") as source,
            path.open("wb") as target,
            gzip.GzipFile(filename="", mode="wb", fileobj=target, mtime=0) as packed,
        ):
            shutil.copyfileobj(source, packed, _COPY_CHUNK)
    finally:
        plain.unlink(missing_ok=True)


# --- mapping files ---------------------------------------------------------------------------


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _toml_table(name: str, entries: dict[str, str]) -> list[str]:
    if not entries:
        return []
    lines = [f"[{name}]"]
    lines += [f"{_toml_key(k)} = {json.dumps(v, ensure_ascii=False)}" for k, v in entries.items()]
    return [*lines, ""]


def mapping_text(shape: Shape, *, file_name: str, present: set[str] | None = None) -> str:
    """The mapping file (TOML) of an export of ``shape``; ``present`` limits it to the columns
    a file actually has (an XES log has only the attributes its events carry)."""
    columns: dict[str, str] = {}
    keys: dict[str, str] = {}
    attributes: dict[str, str] = {}
    for col in shape.columns:
        if present is not None and col.header not in present:
            continue
        if col.target in m.CORE_COLUMNS:
            columns[col.target] = col.header
        elif col.target in KEY_TARGETS:
            keys[col.target] = col.header
        else:
            attributes[col.target] = col.header
    lines = [f"# How to read {file_name}: the {shape.source} export of the demo region.", ""]
    lines += _toml_table("source", {"name": shape.source})
    lines += _toml_table("columns", columns)
    lines += _toml_table("keys", keys)
    lines += _toml_table("attributes", attributes)
    lines += _toml_table("constants", shape.constants)
    if shape.kind == "csv":
        lines += _toml_table("csv", {"delimiter": shape.delimiter, "encoding": shape.encoding})
    if shape.kind == "excel":
        lines += _toml_table("excel", {"sheet": shape.sheet})
    return "\n".join(lines).rstrip("\n") + "\n"

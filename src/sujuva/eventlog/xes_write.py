"""XES writer: canonical events to XES (readable by pm4py, ProM, Disco), streamed."""

from __future__ import annotations

import gzip as gzip_module
import io
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sujuva.errors import InputError, NotFoundError, Problem
from sujuva.eventlog import model as m
from sujuva.eventlog.xes_read import LIFECYCLE, PROBLEM, TRACE_COLUMNS

_HEADER: Final = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xes.features="" xmlns="http://www.xes-standard.org/">
\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
\t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
\t<classifier name="Activity" keys="concept:name"/>
"""
_END_TRACE: Final = "\t</trace>\n"
_SLICE: Final = 65_536
_ESCAPES: Final = (
    ("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"),
    ("\t", "&#9;"), ("\n", "&#10;"), ("\r", "&#13;"),
)  # fmt: skip
_INVALID_XML: Final = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x{fffe}\\x{ffff}]"
_EVENT_KEYS: Final = (
    (m.ACTIVITY, "concept:name"), (m.TIMESTAMP, "time:timestamp"), (m.ACTOR, "org:group"),
    (m.RESOURCE, "org:resource"), (m.START_TIMESTAMP, "start_timestamp"),
    (m.CHANNEL, m.CHANNEL), (m.OUTCOME, m.OUTCOME),
)  # fmt: skip
_TRACE_KEYS: Final = ((m.CASE_ID, "concept:name"), (m.CUSTOMER_ID, "customer_id"), (m.PATH, "path"))
_NOT_FREE: Final = frozenset(
    {*m.CORE_COLUMNS, *m.INTERNAL_COLUMNS, PROBLEM, LIFECYCLE} | {key for _, key in _EVENT_KEYS}
)


def write_xes(
    batches: Iterable[pa.RecordBatch] | pa.Table, path: Path, *, gzip: bool | None = None
) -> int:
    """Write canonical event rows, grouped by case, to an XES file; return the events written.

    Each run of consecutive rows with one ``case_id`` becomes a ``<trace>`` whose attributes are
    ``customer_id``, ``path`` and the ``case:<name>`` columns of its first row; every other column
    becomes an event attribute typed as XES int, float, boolean, date or string (nulls omitted).
    Gzipped when ``gzip`` is true or, by default, when the name ends in ``.gz``. The document is
    written incrementally to a temporary file that replaces ``path`` when complete.
    """
    compress = path.name.endswith(".gz") if gzip is None else gzip
    source = batches.to_batches() if isinstance(batches, pa.Table) else batches
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with _open_output(temporary, compress) as out:
            written = _write_document(out, source, path.name)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return written


def _open_output(path: Path, compress: bool) -> io.BufferedIOBase:
    try:
        if compress:
            return gzip_module.GzipFile(path, mode="wb", compresslevel=6, mtime=0)
        return path.open("wb")
    except FileNotFoundError:
        raise NotFoundError(f"cannot write {path.parent}: no such directory") from None


def _write_document(out: io.BufferedIOBase, source: Iterable[pa.RecordBatch], file: str) -> int:
    out.write(_HEADER.encode())
    open_case: list[str] = []  # the key of the trace left open by the previous slice, if any
    written = 0
    for batch in source:
        missing = [c for c in m.REQUIRED_COLUMNS if c not in batch.schema.names]
        if missing:
            problem = Problem(file, "", missing[0], "required column missing; cannot write XES")
            raise InputError(str(problem), [problem])
        for offset in range(0, batch.num_rows, _SLICE):
            piece = batch.slice(offset, _SLICE)
            out.write(_slice_text(piece, open_case).as_buffer())
            written += piece.num_rows
    out.write(((_END_TRACE if open_case else "") + "</log>\n").encode())
    return written


def _slice_text(batch: pa.RecordBatch, open_case: list[str]) -> pa.Scalar:
    """The XML of a slice of rows (trace openings, events, closings) as one string scalar."""
    n = batch.num_rows
    keys = pc.fill_null(batch.column(m.CASE_ID).cast(pa.string()), "\x00")
    changed = pc.indices_nonzero(pc.not_equal(keys[1:], keys[:-1])) if n > 1 else []
    starts = [0, *(np.asarray(changed, dtype=np.int64) + 1).tolist()]
    heads = _trace_heads(batch.take(starts))
    first = pa.array([True] + [False] * (len(starts) - 1))
    if open_case and open_case[0] == keys[0].as_py():  # the open trace continues
        heads = pc.if_else(first, _text(""), heads)
    elif open_case:
        heads = pc.if_else(first, _concat(_text(_END_TRACE), heads), heads)
    open_case[:] = [keys[n - 1].as_py()]
    events = _concat(_text("\t\t<event>\n\t\t\t"), _join(_event_lines(batch), n, "\n\t\t\t"),
                     _text("\n\t\t</event>\n"))  # fmt: skip
    per_trace = pc.binary_join(
        pa.ListArray.from_arrays(pa.array([*starts, n], pa.int32()), events), _text("")
    )
    tails = pa.array([_END_TRACE] * (len(starts) - 1) + [""], pa.large_string())
    traces = _concat(heads, per_trace, tails)
    whole = pa.ListArray.from_arrays(pa.array([0, len(starts)], pa.int32()), traces)
    return pc.binary_join(whole, _text(""))[0]


def _trace_heads(firsts: pa.RecordBatch) -> pa.Array:
    names = firsts.schema.names
    columns = list(_TRACE_KEYS)
    for name in names:
        key = name.removeprefix(m.CASE_ATTR_PREFIX)
        if key != name and key != "concept:name" and TRACE_COLUMNS.get(key) not in names:
            columns.append((name, key))
    body = _join(_lines(firsts, columns), firsts.num_rows, "\n\t\t")
    return _concat(_text("\t<trace>\n\t\t"), body, _text("\n"))


def _event_lines(batch: pa.RecordBatch) -> list[pa.Array]:
    """Per event attribute, its XML elements; ``lifecycle:transition`` defaults to complete."""
    names = batch.schema.names
    complete = _text(f'<string key="{LIFECYCLE}" value="complete"/>')
    if LIFECYCLE in names:
        lifecycle = pc.fill_null(_attribute_lines(LIFECYCLE, batch.column(LIFECYCLE)), complete)
    else:
        lifecycle = pa.repeat(complete, batch.num_rows)
    free = [(name, name) for name in names if name not in _NOT_FREE]
    free = [(name, key) for name, key in free if not name.startswith(m.CASE_ATTR_PREFIX)]
    return [*_lines(batch, list(_EVENT_KEYS)), lifecycle, *_lines(batch, free)]


def _lines(batch: pa.RecordBatch, columns: list[tuple[str, str]]) -> list[pa.Array]:
    names = batch.schema.names
    return [_attribute_lines(key, batch.column(col)) for col, key in columns if col in names]


def _attribute_lines(key: str, values: pa.Array) -> pa.Array:
    tag, text = _xes_text(values)
    escaped_key = _escape(pa.array([key], pa.string()))[0].as_py()
    prefix = f'<{tag} key="{escaped_key}" value="'
    return _concat(_text(prefix), text.cast(pa.large_string()), _text('"/>'))


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _concat(*parts: pa.Array | pa.Scalar) -> pa.Array:
    return pc.binary_join_element_wise(*parts, _text(""))


def _join(lines: list[pa.Array], rows: int, sep: str) -> pa.Array:
    """Per row, the non-null elements of ``lines`` joined by ``sep``."""
    if not lines:
        return pa.repeat(_text(""), rows)
    return pc.binary_join_element_wise(*lines, _text(sep), null_handling="skip")


def _xes_text(values: pa.Array) -> tuple[str, pa.Array]:
    """The XES type of an Arrow column and its values as XML-ready attribute text."""
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    kind = values.type
    if pa.types.is_boolean(kind):
        return "boolean", values.cast(pa.string())
    if pa.types.is_integer(kind):
        return "int", values.cast(pa.string())
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        text = values.cast(pa.float64()).cast(pa.string())  # shortest round-trip form
        return "float", pc.replace_substring(pc.replace_substring(text, "inf", "INF"), "nan", "NaN")
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return "date", _date_text(values)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "string", _escape(values.cast(pa.string()))
    text = [None if v is None else str(v) for v in values.to_pylist()]
    return "string", _escape(pa.array(text, pa.string()))


def _date_text(values: pa.Array) -> pa.Array:
    """ISO 8601 in UTC with milliseconds (microseconds when needed) and ``+00:00``."""
    if pa.types.is_date(values.type):
        values = values.cast(pa.timestamp("ms"))
    naive = values.cast(pa.timestamp(values.type.unit))  # zoned timestamps hold UTC values
    try:
        naive = naive.cast(pa.timestamp("ms"))
    except pa.ArrowInvalid:
        naive = naive.cast(pa.timestamp("us"), safe=False)
    return pc.binary_join_element_wise(pc.strftime(naive, format="%Y-%m-%dT%H:%M:%S"), "+00:00", "")


def _escape(values: pa.Array) -> pa.Array:
    """XML-escape for a double-quoted attribute; characters XML cannot hold become U+FFFD."""
    if not pc.any(pc.match_substring_regex(values, f'[&<>"\\t\\n\\r]|{_INVALID_XML}')).as_py():
        return values
    values = pc.replace_substring_regex(values, _INVALID_XML, "\ufffd")
    for old, new in _ESCAPES:
        values = pc.replace_substring(values, old, new)
    return values

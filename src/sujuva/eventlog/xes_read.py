"""XES reader: safe (no DTDs, no entities) and streamed.

The reader drives expat directly (Python callbacks, no element tree) with defusedxml's refusal
handlers installed: any DOCTYPE, entity declaration or external entity stops the parse before
anything is expanded. It holds at most one trace plus one batch of rows in memory.
"""

from __future__ import annotations

import gzip as gzip_module
import io
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, Final
from xml.parsers import expat

import numpy as np
import pyarrow as pa
from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from sujuva.errors import InputError, NotFoundError, Problem, UsageError
from sujuva.eventlog import model as m

PROBLEM: Final = "_problem"
LIFECYCLE: Final = "lifecycle:transition"
UNMATCHED_START: Final = "lifecycle start without a matching complete"
REFUSED: Final = "XES files may not contain a DOCTYPE/entity declarations (refused for safety)"

#: Trace attributes read into canonical columns rather than ``case:<key>``.
TRACE_COLUMNS: Final = {"customer_id": m.CUSTOMER_ID, "path": m.PATH}
#: Event attribute keys that would collide with reader columns are renamed ``xes:<key>``.
_RESERVED: Final = frozenset(
    {m.CASE_ID, m.ACTIVITY, m.TIMESTAMP, m.ACTOR, m.RESOURCE, PROBLEM, "case:concept:name"}
    | set(m.INTERNAL_COLUMNS)
)
_GZIP_MAGIC: Final = b"\x1f\x8b"
_CHUNK: Final = 1 << 20

#: Attribute element -> prefix of the key under which its raw value is kept: the XES types that
#: give typed columns are marked in the key itself (NUL cannot occur in XML).
_KINDS: Final = {
    "string": "", "date": "", "id": "", "int": "int\0", "float": "float\0", "boolean": "boolean\0"
}  # fmt: skip
_Values = dict[str, str | None]
#: An event being read: [event number, activity, timestamp, start, actor, resource, lifecycle
#: transition (replaced by the row's problem after pairing), other attributes].
_Event = list[Any]
#: A finished row: (trace number, case id, case keys, case values, event number, activity,
#: timestamp, start, actor, resource, problem, keys, values). Tuples holding only strings are
#: untracked by the garbage collector at its next pass, so a batch of rows triggers no full
#: collections (a dict, or a tuple of tuples, in a row would keep it tracked).
_Row = tuple[Any, ...]
_Keys = tuple[str, ...]
_Flat = tuple[str | None, ...]
#: Attributes read into an event's own slots.
_SLOTS: Final = {
    "concept:name": 1, "time:timestamp": 2, "start_timestamp": 3, "org:group": 4,
    "org:resource": 5, LIFECYCLE: 6,
}  # fmt: skip


def _fail(file: str, location: str, reason: str) -> InputError:
    problem = Problem(file=file, location=location, column="", reason=reason)
    return InputError(str(problem), [problem])


# --------------------------------------------------------------------------- reading


def iter_xes_batches(
    path: Path, *, batch_size: int = 65_536, display_name: str | None = None
) -> Iterator[pa.RecordBatch]:
    """Stream the events of an XES (or gzipped XES) file as Arrow record batches.

    Each batch holds at most ``batch_size`` rows: ``_row``, ``_trace``, ``_event``,
    ``case_id``, ``activity``, ``timestamp`` and ``start_timestamp`` (raw XES date strings),
    ``actor``, ``resource``, ``_problem``, then the other event attributes under their own key
    (``xes:<key>`` if that is a reader column) and trace attributes as ``case:<key>``
    (``customer_id`` and ``path`` keep their names; an event's value wins over its trace's).
    Columns may differ between batches. A ``start`` event and the next ``complete`` event of its
    activity in the trace become one row. Raises :class:`InputError` for unsafe, malformed,
    empty or non-XES files and :class:`NotFoundError` for a missing one.
    """
    if batch_size < 1:
        raise UsageError(f"batch_size must be at least 1, not {batch_size}")
    name = display_name or path.name
    reader = _XesReader(name, batch_size)
    for chunk in _read_chunks(path, name):
        reader.feed(chunk)
        yield from reader.take_ready()
    reader.close()
    yield from reader.take_ready()


def _read_chunks(path: Path, name: str) -> Iterator[bytes]:
    """The bytes of ``path`` in chunks, gunzipped when the file starts with the gzip magic."""
    try:
        raw = path.open("rb")
    except FileNotFoundError:
        raise NotFoundError(f"{name}: no such file") from None
    except OSError as exc:
        raise _fail(name, "", f"cannot read the file ({exc.strerror or exc})") from None
    with raw:
        compressed = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        stream: io.BufferedIOBase = (
            gzip_module.GzipFile(fileobj=raw, mode="rb") if compressed else raw
        )
        size = 0
        while True:
            try:
                chunk = stream.read(_CHUNK)
            except (OSError, EOFError, zlib.error) as exc:
                what = "corrupt gzip data" if compressed else "cannot read the file"
                raise _fail(name, "", f"{what} ({exc})") from None
            if not chunk:
                if not size:
                    raise _fail(name, "", "the file is empty (expected an XES log)")
                return
            size += len(chunk)
            yield chunk


class _Trace:
    __slots__ = ("case_id", "number", "values")

    def __init__(self, number: int) -> None:
        self.number = number
        self.case_id: str | None = None
        self.values: _Values = {}

    def add(self, kind: str, key: str, value: str | None) -> None:
        """Keep a trace attribute (``kind`` as in ``_KINDS``)."""
        if key == "concept:name":
            self.case_id = value
        else:
            self.values[kind + key] = value


class _XesReader:
    """Expat callbacks that turn a streamed XES document into rows and record batches."""

    def __init__(self, file: str, batch_size: int) -> None:
        self.file = file
        self.batch_size = batch_size
        self.trace: _Trace | None = None
        self.traces = 0
        self.events: list[_Event] = []
        self.rows: list[_Row] = []
        self.emitted = 0
        self.ready: list[pa.RecordBatch] = []
        self.refused_line = 0
        parser = expat.ParserCreate()  # no namespace processing: prefixes are stripped by hand
        parser.StartElementHandler, parser.EndElementHandler = self._handlers()
        # defusedxml's own refusal handlers (forbid_dtd, forbid_entities, forbid_external).
        defused = DefusedXMLParser(forbid_dtd=True)
        parser.StartDoctypeDeclHandler = self._located(defused.defused_start_doctype_decl)
        parser.EntityDeclHandler = self._located(defused.defused_entity_decl)
        parser.UnparsedEntityDeclHandler = self._located(defused.defused_unparsed_entity_decl)
        parser.ExternalEntityRefHandler = self._located(defused.defused_external_entity_ref_handler)
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser = parser

    def _located(self, refuse: Callable[..., Any]) -> Callable[..., Any]:
        """``refuse`` (which raises), noting the line of the refused declaration first."""

        def handler(*args: Any) -> Any:
            self.refused_line = self.parser.CurrentLineNumber
            return refuse(*args)

        return handler

    def _handlers(self) -> tuple[Callable[[str, dict[str, str]], None], Callable[[str], None]]:
        """Expat start and end handlers: the hot path, one call each per XML element."""
        depth = 0
        event: _Event | None = None
        events = self.events

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal depth, event
            depth += 1
            if depth == 4:  # an attribute of an event (deeper levels are nested: ignored)
                if event is not None:
                    kind = _KINDS.get(name)
                    if kind is None:
                        kind = _KINDS.get(name.rpartition(":")[2])
                    key = attrs.get("key")
                    if kind is not None and key is not None:
                        slot = _SLOTS.get(key)
                        if slot is None:
                            event[7][kind + key] = attrs.get("value")
                        else:
                            event[slot] = attrs.get("value")
            elif depth == 3 and self.trace is not None:
                tag = name.rpartition(":")[2]
                if tag == "event":
                    event = [len(events) + 1, None, None, None, None, None, None, {}]
                elif tag in _KINDS and "key" in attrs:
                    self.trace.add(_KINDS[tag], attrs["key"], attrs.get("value"))
            elif depth < 3:
                self._outer_start(depth, name)

        def end(name: str) -> None:
            nonlocal depth, event
            if depth == 3:
                if event is not None:
                    events.append(event)
                    event = None
            elif depth == 2 and self.trace is not None:
                self._close_trace(self.trace)
            depth -= 1

        return start, end

    def _outer_start(self, depth: int, name: str) -> None:
        if depth == 2 and name.rpartition(":")[2] == "trace":
            self.traces += 1
            self.trace = _Trace(self.traces)
        elif depth == 1 and name.rpartition(":")[2] != "log":
            line = f"line {self.parser.CurrentLineNumber}"
            raise _fail(self.file, line, f"not an XES log (the root element is <{name}>)")

    def _close_trace(self, trace: _Trace) -> None:
        self.trace = None
        if not self.events:
            return
        case = trace.values
        head = (trace.number, trace.case_id, tuple(case), tuple(case.values()))
        self.rows.extend(
            (*head, number, activity, time, start, actor, resource, problem, tuple(attrs),
             tuple(attrs.values()))
            for number, activity, time, start, actor, resource, problem, attrs
            in _pair_lifecycle(self.events)
        )  # fmt: skip
        self.events.clear()
        while len(self.rows) >= self.batch_size:
            self._flush(self.batch_size)

    def _flush(self, count: int) -> None:
        rows, self.rows = self.rows[:count], self.rows[count:]
        self.ready.append(_build_batch(rows, self.emitted))
        self.emitted += len(rows)

    def take_ready(self) -> list[pa.RecordBatch]:
        """The batches completed so far (each returned once)."""
        ready, self.ready = self.ready, []
        return ready

    def feed(self, chunk: bytes, final: bool = False) -> None:
        """Parse the next chunk; XML errors and refused declarations become InputError."""
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError as exc:
            where = f"line {exc.lineno}, column {exc.offset + 1}"
            reason = f"malformed XML: {expat.ErrorString(exc.code)}"
            raise _fail(self.file, where, reason) from None
        except DefusedXmlException:
            raise _fail(self.file, f"line {self.refused_line}", REFUSED) from None

    def close(self) -> None:
        """Finish the document and flush the last partial batch."""
        self.feed(b"", final=True)
        if not self.traces:
            raise _fail(self.file, "", "the XES log contains no traces")
        if not self.rows and not self.emitted:
            raise _fail(self.file, "", "the XES log contains no events")
        if self.rows:
            self._flush(len(self.rows))


def _pair_lifecycle(events: list[_Event]) -> list[_Event]:
    """Merge each ``start`` with the next ``complete`` of its activity in the trace (FIFO).

    The merged row is the complete's, with the start's time as ``start_timestamp``; a start never
    completed stays a row of its own with a problem. Other transitions are kept as attributes.
    """
    rows: list[_Event] = []
    pending: dict[str | None, deque[_Event]] = {}
    for event in events:
        raw = event[6]
        if raw is None:
            rows.append(event)
            continue
        transition = raw.lower()
        event[6] = None
        if transition == "complete":
            queue = pending.get(event[1])
            if queue:
                event[3] = queue.popleft()[3]
        elif transition == "start":
            event[2], event[3], event[6] = None, event[2], UNMATCHED_START
            pending.setdefault(event[1], deque()).append(event)
            continue
        else:
            event[7][LIFECYCLE] = raw
        rows.append(event)
    unmatched = [event for queue in pending.values() for event in queue]
    if unmatched:
        rows.extend(unmatched)
        rows.sort(key=itemgetter(0))
    return rows


def _build_batch(rows: list[_Row], first_row: int) -> pa.RecordBatch:
    """One record batch from rows; ``first_row`` is the ``_row`` of the first."""
    # Column by column: zip(*rows) would create one (GC-tracked) iterator per row.
    (traces, case_ids, case_keys, case_values, numbers, acts, times, starts, actors, resources,
     problems, keys, values) = (list(map(itemgetter(i), rows)) for i in range(13))  # fmt: skip
    string = pa.string()
    columns: dict[str, pa.Array] = {
        m.ROW: pa.array(np.arange(first_row, first_row + len(rows), dtype=np.int64)),
        m.TRACE: pa.array(traces, pa.int64()),
        m.EVENT: pa.array(numbers, pa.int64()),
        m.CASE_ID: pa.array(case_ids, string),
        m.ACTIVITY: pa.array(acts, string),
        m.TIMESTAMP: pa.array(times, string),
        m.START_TIMESTAMP: pa.array(starts, string),
        m.ACTOR: pa.array(actors, string),
        m.RESOURCE: pa.array(resources, string),
        PROBLEM: pa.array(problems, string),
    }
    found = _case_columns(case_keys, case_values)
    merged = _add_event_columns(found, keys, values)
    for name, (index, raw, types) in found.items():
        if len(index) != len(rows) or name in merged:  # sparse, or trace and event values
            dense: list[str | None] = [None] * len(rows)
            for i, value in zip(index, raw, strict=True):
                dense[i] = value
            raw = dense
        columns[name] = _typed_array(raw, types)
    return pa.RecordBatch.from_pydict(columns)


#: Per output column: the row numbers, raw values and XES types of its values.
_Found = dict[str, tuple[list[int], list[str | None], set[str]]]


def _column(key: str) -> tuple[str, str]:
    """The XES type and the key of a kept attribute key (see ``_KINDS``)."""
    kind, _, name = key.rpartition("\0")
    return kind or "string", name


def _case_columns(keys: list[_Keys], values: list[_Flat]) -> _Found:
    found: _Found = {}
    start = 0
    for _, group in groupby(range(len(keys)), key=lambda i: id(keys[i])):
        count = len(list(group))  # the rows of one trace share one tuple
        for key, value in zip(keys[start], values[start], strict=True):
            kind, name = _column(key)
            name = TRACE_COLUMNS.get(name, m.CASE_ATTR_PREFIX + name)
            index, raw, kinds = found.setdefault(name, ([], [], set()))
            index.extend(range(start, start + count))
            raw.extend([value] * count)
            kinds.add(kind)
        start += count
    return found


def _add_event_columns(found: _Found, keys: list[_Keys], values: list[_Flat]) -> set[str]:
    """Add the event attributes to ``found``; return the names that trace attributes had too."""
    by_key: _Found = {}
    merged = set()
    for i, (event_keys, event_values) in enumerate(zip(keys, values, strict=True)):
        for key, value in zip(event_keys, event_values, strict=True):
            column = by_key.get(key)
            if column is None:
                kind, name = _column(key)
                name = "xes:" + name if name in _RESERVED else name
                if name in found:
                    merged.add(name)
                column = by_key[key] = found.setdefault(name, ([], [], set()))
                column[2].add(kind)
            column[0].append(i)
            column[1].append(value)
    return merged


def _typed_array(raw: list[str | None], types: set[str]) -> pa.Array:
    """An Arrow array of the raw values, typed by their XES type; mixed types give strings."""
    tag = next(iter(types)) if len(types) == 1 else "string"
    strings = pa.array(raw, pa.string())
    if tag == "int":
        return _convert(strings, raw, pa.int64(), int)
    if tag == "float":
        return _convert(strings, raw, pa.float64(), float)
    if tag == "boolean":
        values = [None if v is None else _BOOLEANS.get(v.strip().lower()) for v in raw]
        if all(v is not None for v, r in zip(values, raw, strict=True) if r is not None):
            return pa.array(values, pa.bool_())
    return strings


_BOOLEANS: Final = {"true": True, "1": True, "false": False, "0": False}


def _convert(
    strings: pa.Array, raw: list[str | None], type_: pa.DataType, parse: type[int] | type[float]
) -> pa.Array:
    """``strings`` as ``type_`` (Arrow's parser, then Python's), or unchanged if they are not."""
    try:
        return strings.cast(type_)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    try:
        return pa.array([None if v is None else parse(v) for v in raw], type_)
    except (ValueError, OverflowError, pa.ArrowInvalid):
        return strings

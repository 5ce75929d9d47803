"""Turn a reader's raw batch into canonical, validated, pseudonymised events.

Every check is vectorised over the batch; a row that fails one is set aside with the first
reason it failed, its column and offending value, never silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sujuva.eventlog import model
from sujuva.eventlog.timeparse import bool_mask, parse_times
from sujuva.privacy.identity import check_keys
from sujuva.privacy.pseudonym import Pseudonymiser

MAX_VALUE_CHARS: Final = 65_536
PROBLEM: Final = "_problem"
REJECT_COLUMNS: Final = ("_column", "_reason", "_value")
_INT_PATTERN: Final = r"^[+-]?\d{1,18}$"
_DOT_FLOAT: Final = r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$"
_COMMA_FLOAT: Final = r"^[+-]?(\d+,\d*|,\d+|\d+)$"


@dataclass(frozen=True)
class NormaliseContext:
    """What normalisation needs to know about the source and the settings."""

    constants: dict[str, str]
    default_path: str
    zone: ZoneInfo
    ambiguous: str
    pseudonymiser: Pseudonymiser
    decimal_comma: bool = False
    infer_types: bool = False
    #: When set, every row's organisation (actor) must be this one: an organisation uploads
    #: its own events only.
    organisation: str | None = None
    #: The source's name, kept on every event as provenance.
    source: str = ""
    #: Fingerprint of the store's pseudonym key: a file pseudonymised at its source must
    #: carry the same one.
    key_fingerprint: str = ""


@dataclass(frozen=True)
class Normalised:
    """A batch split into good canonical events and rejected rows.

    ``events`` has the canonical columns, free attributes and ``_row`` (plus ``_trace`` /
    ``_event`` for XES). ``rejected`` has the raw columns as text plus the location columns and
    ``_column``, ``_reason``, ``_value``.
    """

    events: pa.Table
    rejected: pa.Table


class _Checks:
    """Accumulates per-row rejection reasons; the first failing check wins."""

    def __init__(self, rows: int) -> None:
        self.failed = np.zeros(rows, dtype=bool)
        self.column = np.full(rows, "", dtype=object)
        self.reason = np.full(rows, "", dtype=object)

    def add(self, mask: np.ndarray, column: str, reason: pa.Array | str) -> None:
        new = mask & ~self.failed
        if not new.any():
            return
        self.column[new] = column
        if isinstance(reason, str):
            self.reason[new] = reason
        else:
            self.reason[new] = np.asarray(reason.filter(pa.array(new)).to_pylist(), dtype=object)
        self.failed |= new


def normalise(batch: pa.RecordBatch | pa.Table, ctx: NormaliseContext) -> Normalised:
    """Validate and convert one raw batch (columns already renamed to canonical names)."""
    table = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
    rows = table.num_rows
    checks = _Checks(rows)
    if PROBLEM in table.column_names:
        problem = table[PROBLEM].combine_chunks()
        checks.add(bool_mask(problem.is_valid()), "", problem)
    keys = _check_keys(table, checks, ctx)
    if keys is None:
        checks.add(_blank(table, model.CASE_ID), model.CASE_ID, "the case id is empty")
    checks.add(_blank(table, model.ACTIVITY), model.ACTIVITY, "the activity is empty")
    checks.add(_blank(table, model.TIMESTAMP), model.TIMESTAMP, "the completion time is empty")
    times: dict[str, pa.Array] = {}
    for column in model.TIME_COLUMNS:
        if column not in table.column_names:
            continue
        parsed = parse_times(table[column], zone=ctx.zone, ambiguous=ctx.ambiguous)
        checks.add(bool_mask(parsed.errors.is_valid()), column, parsed.errors)
        times[column] = parsed.values
    if model.START_TIMESTAMP in times:
        later = pc.greater(times[model.START_TIMESTAMP], times[model.TIMESTAMP])
        checks.add(bool_mask(later), model.START_TIMESTAMP, "the start is after the completion")
    for name in table.column_names:
        if pa.types.is_string(table[name].type):
            _check_text(checks, name, table[name])
    if ctx.organisation is not None and model.ACTOR in table.column_names:
        other = pc.not_equal(table[model.ACTOR], pa.scalar(ctx.organisation))
        checks.add(
            bool_mask(other), model.ACTOR, f"the organisation is not yours ({ctx.organisation})"
        )
    if not checks.failed.any():
        events = _canonical(table, times, keys, ctx)
        return Normalised(events=events, rejected=_rejected(table, checks))
    good = pa.array(~checks.failed)
    events = _canonical(
        table.filter(good),
        {k: v.filter(good) for k, v in times.items()},
        None if keys is None else {k: v.filter(good) for k, v in keys.items()},
        ctx,
    )
    return Normalised(events=events, rejected=_rejected(table, checks))


def _check_keys(
    table: pa.Table, checks: _Checks, ctx: NormaliseContext
) -> dict[str, pa.Array] | None:
    """Validate and normalise the linking keys; None when the file has none.

    Returns the normalised key columns by kind (null where blank). A row with no key at all,
    or with an invalid code, is rejected with a reason that never repeats the code; a file
    pseudonymised at its source must carry this store's key fingerprint.
    """
    raw = {
        name.removeprefix(model.RAW_KEY_PREFIX): name
        for name in table.column_names
        if name.startswith(model.RAW_KEY_PREFIX)
    }
    if not raw:
        return None
    if model.KEY_FINGERPRINT in table.column_names:
        marks = _text(table[model.KEY_FINGERPRINT])
        other = pc.fill_null(pc.not_equal(marks, pa.scalar(ctx.key_fingerprint)), True)
        checks.add(
            bool_mask(other),
            model.KEY_FINGERPRINT,
            "the file was pseudonymised with another key than this store's "
            f"({ctx.key_fingerprint}); pseudonymise it again with the region's key file",
        )
    normalised: dict[str, pa.Array] = {}
    for kind, column in raw.items():
        check = check_keys(_text(table[column]), kind=kind)
        checks.add(bool_mask(check.reason.is_valid()), column, check.reason)
        normalised[kind] = check.normalised
    present = np.zeros(table.num_rows, dtype=bool)
    for values in normalised.values():
        present |= bool_mask(values.is_valid())
    checks.add(~present, next(iter(raw.values())), "the row has no customer key")
    return normalised


def _check_text(checks: _Checks, name: str, values: pa.ChunkedArray) -> None:
    """Reject over-long values and NUL characters; cheap byte-level tests skip clean columns."""
    if (pc.max(pc.binary_length(values)).as_py() or 0) > MAX_VALUE_CHARS:
        long = pc.greater(pc.utf8_length(values), MAX_VALUE_CHARS)
        checks.add(bool_mask(long), name, f"the value is longer than {MAX_VALUE_CHARS} characters")
    if any(_has_nul(chunk) for chunk in values.chunks):
        nul = pc.match_substring(values, "\x00")
        checks.add(bool_mask(nul), name, "the value contains a NUL character")


def _has_nul(chunk: pa.Array) -> bool:
    data = chunk.buffers()[2]
    return data is not None and bool((np.frombuffer(data, dtype=np.uint8) == 0).any())


def _canonical(
    table: pa.Table,
    times: dict[str, pa.Array],
    keys: dict[str, pa.Array] | None,
    ctx: NormaliseContext,
) -> pa.Table:
    rows = table.num_rows
    columns: dict[str, pa.Array] = {}
    if keys is None:
        case_ids = _text(table[model.CASE_ID])
        customer = _optional(table, model.CUSTOMER_ID)
        columns[model.CASE_ID] = case_ids
        columns[model.CUSTOMER_ID] = _pseudonymise(pc.coalesce(customer, case_ids), ctx)
        columns[model.PATH] = _with_default(table, model.PATH, ctx, ctx.default_path)
    else:
        # cases are formed from the keys by the path rules when the store is built
        columns[model.CASE_ID] = pa.nulls(rows, pa.string())
        columns[model.CUSTOMER_ID] = pa.nulls(rows, pa.string())
        columns[model.PATH] = _with_default(table, model.PATH, ctx, None)
    columns[model.ACTIVITY] = _text(table[model.ACTIVITY])
    columns[model.ACTOR] = _with_default(table, model.ACTOR, ctx, model.UNKNOWN_ACTOR)
    columns[model.TIMESTAMP] = times[model.TIMESTAMP]
    columns[model.START_TIMESTAMP] = times.get(
        model.START_TIMESTAMP, pa.nulls(rows, model.TIME_TYPE)
    )
    resource = _optional(table, model.RESOURCE)
    columns[model.RESOURCE] = _pseudonymise(resource, ctx)
    columns[model.CHANNEL] = _with_default(table, model.CHANNEL, ctx, None)
    columns[model.OUTCOME] = _optional(table, model.OUTCOME)
    for name, values in _provenance(table, keys, ctx).items():
        columns[name] = values
    for name in table.column_names:
        if model.is_free_attribute(name) and name != PROBLEM:
            columns[name] = _attribute(table[name], ctx)
    for name in model.INTERNAL_COLUMNS:
        if name in table.column_names:
            columns[name] = table[name].combine_chunks()
    return pa.table(columns)


def _provenance(
    table: pa.Table, keys: dict[str, pa.Array] | None, ctx: NormaliseContext
) -> dict[str, pa.Array]:
    """The source's name and own case number, and the pseudonymised linking keys."""
    rows = table.num_rows
    source = _optional(table, model.SOURCE)
    own_case = _optional(table, model.SOURCE_CASE_ID)
    if model.CASE_ID in table.column_names:
        own_case = pc.coalesce(own_case, _nullify_blank(_text(table[model.CASE_ID])))
    columns = {
        model.SOURCE: pc.coalesce(source, pa.scalar(ctx.source, pa.string())),
        model.SOURCE_CASE_ID: own_case,
        model.CUSTOMER_KEY: pa.nulls(rows, pa.string()),
        model.FIRM_KEY: pa.nulls(rows, pa.string()),
    }
    if keys is not None:
        person = keys.get("person", pa.nulls(rows, pa.string()))
        person = pc.coalesce(person, keys.get("customer", pa.nulls(rows, pa.string())))
        columns[model.CUSTOMER_KEY] = _pseudonymise(person, ctx)
        columns[model.FIRM_KEY] = _pseudonymise(keys.get("firm", pa.nulls(rows, pa.string())), ctx)
    return columns


def _pseudonymise(values: pa.Array, ctx: NormaliseContext) -> pa.Array:
    if values.null_count == len(values):
        return values
    return ctx.pseudonymiser.column(values)


def _with_default(
    table: pa.Table, column: str, ctx: NormaliseContext, fallback: str | None
) -> pa.Array:
    constant = ctx.constants.get(column, fallback)
    values = _optional(table, column)
    if constant is None:
        return values
    return pc.coalesce(values, pa.scalar(constant, pa.string()))


def _optional(table: pa.Table, column: str) -> pa.Array:
    if column not in table.column_names:
        return pa.nulls(table.num_rows, pa.string())
    return _nullify_blank(_text(table[column]))


def _text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Values as trimmed text, trimming each distinct value once."""
    if not pa.types.is_string(values.type):
        values = pc.cast(values, pa.string())
    distinct = pc.unique(values)
    if len(distinct) * 4 > len(values):
        trimmed = pc.utf8_trim_whitespace(values)
        return trimmed.combine_chunks() if isinstance(trimmed, pa.ChunkedArray) else trimmed
    positions = pc.index_in(values, value_set=distinct)
    return _flat(pc.take(pc.utf8_trim_whitespace(distinct), positions))


def _flat(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _nullify_blank(values: pa.Array) -> pa.Array:
    empty = pc.fill_null(pc.equal(values, ""), False)
    if not pc.any(empty).as_py():
        return values
    return pc.if_else(empty, pa.scalar(None, pa.string()), values)


def _attribute(values: pa.ChunkedArray, ctx: NormaliseContext) -> pa.Array:
    """A free attribute: typed sources keep their types; text from CSV becomes int64 or float64
    when every value is a number (decimal comma accepted where the delimiter is not a comma)."""
    if not pa.types.is_string(values.type):
        return _flat(values)
    text = _nullify_blank(_text(values))
    if not ctx.infer_types:
        return text
    distinct = pc.unique(text).drop_null()
    if len(distinct) == 0:
        return text
    if pc.all(pc.match_substring_regex(distinct, _INT_PATTERN)).as_py():
        return pc.cast(text, pa.int64())
    if pc.all(pc.match_substring_regex(distinct, _DOT_FLOAT)).as_py():
        return pc.cast(text, pa.float64())
    if ctx.decimal_comma and pc.all(pc.match_substring_regex(distinct, _COMMA_FLOAT)).as_py():
        return pc.cast(pc.replace_substring(text, ",", "."), pa.float64())
    return text


def _rejected(table: pa.Table, checks: _Checks) -> pa.Table:
    mask = pa.array(checks.failed)
    raw = table.filter(mask)
    columns = {
        name: raw[name] if name in model.INTERNAL_COLUMNS else pc.cast(raw[name], pa.string())
        for name in raw.column_names
        if name != PROBLEM
    }
    failed_columns = checks.column[checks.failed]
    columns["_column"] = pa.array(failed_columns.tolist(), type=pa.string())
    columns["_reason"] = pa.array(checks.reason[checks.failed].tolist(), type=pa.string())
    values = [
        _shorten(columns[c][i].as_py()) if c in columns and not _secret(c) else ""
        for i, c in enumerate(failed_columns.tolist())
    ]
    for name in [c for c in columns if _secret(c)]:  # never keep an identity code aside
        columns[name] = pa.nulls(raw.num_rows, pa.string())
    columns["_value"] = pa.array(values, type=pa.string())
    return pa.table(columns)


def _secret(column: str) -> bool:
    return column.startswith(model.RAW_KEY_PREFIX)


def _shorten(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _blank(table: pa.Table, column: str) -> np.ndarray:
    if column not in table.column_names:
        return np.ones(table.num_rows, dtype=bool)
    values = table[column]
    if pa.types.is_string(values.type):
        values = pc.utf8_trim_whitespace(values)
        return bool_mask(pc.fill_null(pc.equal(values, ""), True))
    return bool_mask(values.is_null())

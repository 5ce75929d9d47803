"""Vectorised parsing of event times into UTC instants.

Accepted text forms (one column may mix them):

* ISO 8601: ``2017-04-12``, ``2017-04-12 08:56``, ``2017-04-12T08:56:00.123+03:00``, ``...Z``;
* Finnish: ``12.4.2017``, ``12.4.2017 8.56``, ``12.04.2017 08:56:00``, ``12.4.2017 klo 8.56``.

Times without an offset are local times in the configured zone. A local time that does not
exist (the spring-forward gap) is always an error; one that occurs twice (the autumn overlap) is
an error unless the caller picks the earlier or later instant. Native Arrow timestamps are taken
as they are (naive ones as local times).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sujuva.eventlog.model import TIME_TYPE

_TIME: Final = (
    r"(?:[T ]|\s+(?:klo\s+)?)(?P<H>\d{1,2})[.:](?P<M>\d{2})"
    r"(?:[.:](?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
)
_ISO: Final = (
    r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"
    rf"(?:{_TIME})?\s*(?P<tz>Z|[+-]\d{{2}}(?::?\d{{2}})?)?$"
)
_FINNISH: Final = rf"^(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>\d{{4}})(?:{_TIME})?$"
_FIELDS: Final = ("y", "m", "d", "H", "M", "S", "f")
_US_PER_SECOND: Final = 1_000_000
EXPECTED_FORMS: Final = (
    "expected e.g. 12.4.2017 8.56, 12.04.2017 08:56:00 or 2017-04-12T08:56:00+03:00"
)
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2100


@dataclass(frozen=True)
class ParsedTimes:
    """UTC instants (``timestamp[us, UTC]``, null where missing or invalid) and, per row, the
    reason a present value was rejected (null where it parsed or was missing)."""

    values: pa.Array
    errors: pa.Array


def parse_times(
    values: pa.Array | pa.ChunkedArray, *, zone: ZoneInfo, ambiguous: str = "error"
) -> ParsedTimes:
    """Parse a column of event times of any supported type into UTC instants."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_timestamp(values.type):
        return _from_native(values, zone=zone, ambiguous=ambiguous)
    if pa.types.is_date(values.type):
        return _from_native(pc.cast(values, pa.timestamp("us")), zone=zone, ambiguous=ambiguous)
    if not pa.types.is_string(values.type) and not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.string())
    return _from_text(values, zone=zone, ambiguous=ambiguous)


def _from_native(values: pa.Array, *, zone: ZoneInfo, ambiguous: str) -> ParsedTimes:
    no_errors = pa.nulls(len(values), pa.string())
    if values.type.tz is not None:
        return ParsedTimes(pc.cast(values, TIME_TYPE), no_errors)
    micros = pc.cast(pc.cast(values, pa.timestamp("us")), pa.int64()).to_numpy(zero_copy_only=False)
    present = values.is_valid().to_numpy(zero_copy_only=False)
    utc, errors = _localise(np.where(present, micros, 0), present, zone=zone, ambiguous=ambiguous)
    return ParsedTimes(utc, errors)


def _from_text(values: pa.Array, *, zone: ZoneInfo, ambiguous: str) -> ParsedTimes:
    fast = _strict_iso_with_offsets(values)
    if fast is not None:
        return ParsedTimes(fast, pa.nulls(len(values), pa.string()))
    text = pc.utf8_trim_whitespace(values)
    present = pc.fill_null(pc.greater(pc.utf8_length(text), 0), False)
    iso = pc.extract_regex(text, _ISO)
    iso_ok = pc.fill_null(iso.is_valid(), False)
    fin = _finnish_where_not_iso(text, iso_ok)
    matched = pc.or_(iso_ok, pc.fill_null(fin.is_valid(), False))
    parts = {name: _int_field(iso, fin, name) for name in _FIELDS}
    present_np = bool_mask(present)
    matched_np = bool_mask(matched) & present_np
    local_us, invalid = _compose(parts, _fraction_micros(iso, fin))
    errors = np.full(len(values), None, dtype=object)
    errors[present_np & ~matched_np] = f"unrecognised date-time; {EXPECTED_FORMS}"
    bad_parts = matched_np & (invalid != "")
    errors[bad_parts] = invalid[bad_parts]
    ok = matched_np & ~bad_parts
    offset_us = _offset_micros(iso)
    has_offset = ~np.isnan(offset_us)
    utc = local_us - np.nan_to_num(offset_us).astype(np.int64)
    naive = ok & ~has_offset
    if naive.any():
        localised, local_errors = _localise(
            np.where(naive, local_us, 0), naive, zone=zone, ambiguous=ambiguous
        )
        utc = np.where(naive, pc.cast(localised, pa.int64()).to_numpy(zero_copy_only=False), utc)
        failed = bool_mask(local_errors.is_valid())
        errors[failed] = np.asarray(local_errors.filter(pa.array(failed)).to_pylist(), dtype=object)
    valid = ok & (errors == None)  # noqa: E711 - element-wise comparison
    result = pa.array(utc, type=pa.int64(), mask=~valid).cast(TIME_TYPE)
    return ParsedTimes(result, pa.array(errors, type=pa.string()))


def _strict_iso_with_offsets(values: pa.Array) -> pa.Array | None:
    """Arrow's own ISO 8601 cast, when every present value carries an offset and is in range
    (machine exports); None sends the column through the general parser."""
    empty = pc.fill_null(pc.equal(values, ""), False)
    present = pc.if_else(empty, pa.scalar(None, pa.string()), values)
    try:
        parsed = pc.cast(present, TIME_TYPE)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    bounds = pc.min_max(parsed)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is not None and (low.year < MIN_YEAR or high.year > MAX_YEAR):
        return None
    return parsed


def _finnish_where_not_iso(text: pa.Array, iso_ok: pa.Array) -> pa.Array:
    """Match the Finnish pattern only on rows the ISO pattern missed (the costly part)."""
    if pc.all(iso_ok).as_py():
        return pa.nulls(
            len(text), pa.struct([(name, pa.string()) for name in ("d", "m", "y", *_FIELDS[3:])])
        )
    candidates = pc.if_else(iso_ok, pa.scalar(None, pa.string()), text)
    return pc.extract_regex(candidates, _FINNISH)


def bool_mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean Arrow column as a numpy mask, nulls counted as False."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _int_field(iso: pa.Array, fin: pa.Array, name: str) -> np.ndarray:
    """Field ``name`` from whichever pattern matched, as int64 (-1 where absent)."""
    merged = pc.coalesce(_field_or_null(iso, name), _field_or_null(fin, name))
    if name == "f":
        merged = pc.utf8_slice_codeunits(merged, 0, 1)  # only presence matters here
    numbers = pc.cast(merged, pa.int64(), safe=False) if name != "f" else pc.utf8_length(merged)
    return np.asarray(pc.fill_null(numbers, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _field_or_null(struct: pa.Array, name: str) -> pa.Array:
    values = pc.struct_field(struct, name)
    empty = pc.fill_null(pc.equal(values, ""), True)
    return pc.if_else(empty, pa.scalar(None, pa.string()), values)


def _fraction_micros(iso: pa.Array, fin: pa.Array) -> np.ndarray:
    digits = pc.coalesce(_field_or_null(iso, "f"), _field_or_null(fin, "f"))
    padded = pc.utf8_slice_codeunits(pc.utf8_rpad(digits, 6, "0"), 0, 6)
    micros = pc.cast(padded, pa.int64())
    return np.asarray(pc.fill_null(micros, 0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _offset_micros(iso: pa.Array) -> np.ndarray:
    """UTC offset in microseconds per row (NaN where the text has no offset)."""
    tz = _field_or_null(iso, "tz")
    zulu = pc.fill_null(pc.equal(tz, "Z"), False)
    digits = pc.replace_substring(pc.utf8_slice_codeunits(tz, 1, 10), ":", "")
    hours = _to_int(pc.utf8_slice_codeunits(digits, 0, 2))
    minutes = pc.fill_null(_to_int(pc.utf8_slice_codeunits(digits, 2, 4)), 0)
    sign = pc.if_else(pc.equal(pc.utf8_slice_codeunits(tz, 0, 1), "-"), -1, 1)
    total = pc.multiply(pc.add(pc.multiply(hours, 3600), pc.multiply(minutes, 60)), sign)
    total = pc.if_else(zulu, 0, total)
    out = pc.cast(total, pa.float64()).to_numpy(zero_copy_only=False)
    return np.where(np.isnan(out), np.nan, out * _US_PER_SECOND)


def _to_int(text: pa.Array) -> pa.Array:
    """Cast digit strings to int64, with empty strings as null."""
    empty = pc.fill_null(pc.equal(text, ""), False)
    return pc.cast(pc.if_else(empty, pa.scalar(None, pa.string()), text), pa.int64())


def _compose(parts: dict[str, np.ndarray], fraction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local wall-clock microseconds since the epoch, and a reason per row where a field is out
    of range ("" where fine)."""
    y, m, d = parts["y"], parts["m"], parts["d"]
    hour, minute, second = (np.maximum(parts[k], 0) for k in ("H", "M", "S"))
    reason = np.full(len(y), "", dtype=object)
    reason[(y < MIN_YEAR) | (y > MAX_YEAR)] = f"year outside {MIN_YEAR}-{MAX_YEAR}"
    reason[(m < 1) | (m > 12)] = "month is not 1-12"
    safe_m = np.clip(m, 1, 12)
    safe_y = np.clip(y, MIN_YEAR, MAX_YEAR)
    month_start = (safe_y - 1970) * 12 + (safe_m - 1)
    days_in_month = (
        np.asarray(month_start + 1, dtype="datetime64[M]").astype("datetime64[D]")
        - np.asarray(month_start, dtype="datetime64[M]").astype("datetime64[D]")
    ).astype(np.int64)
    reason[(reason == "") & ((d < 1) | (d > days_in_month))] = "no such day in that month"
    reason[(reason == "") & ((hour > 23) | (minute > 59) | (second > 59))] = (
        "time of day out of range"
    )
    days = np.asarray(month_start, dtype="datetime64[M]").astype("datetime64[D]").astype(np.int64)
    days = days + np.clip(d, 1, 31) - 1
    seconds = days * 86_400 + hour * 3600 + minute * 60 + second
    return seconds * _US_PER_SECOND + fraction, reason


def _localise(
    wall_us: np.ndarray, mask: np.ndarray, *, zone: ZoneInfo, ambiguous: str
) -> tuple[pa.Array, pa.Array]:
    """Turn local wall-clock microseconds into UTC instants; reasons for gap/overlap times."""
    naive = pd.DatetimeIndex(wall_us.astype("datetime64[us]"))
    strict = naive.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    lenient = naive.tz_localize(zone, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT")
    gap = mask & np.asarray(lenient.isna())
    overlap = mask & np.asarray(strict.isna()) & ~gap
    chosen = strict
    if ambiguous in ("earlier", "later"):
        chosen = naive.tz_localize(
            zone, ambiguous=np.full(len(naive), ambiguous == "earlier"), nonexistent="NaT"
        )
        overlap = np.zeros(len(naive), dtype=bool)
    errors = np.full(len(naive), None, dtype=object)
    errors[gap] = f"local time does not exist in {zone.key} (clocks went forward)"
    errors[overlap] = (
        f"local time occurs twice in {zone.key} (clocks went back); give an offset or set "
        "ambiguous_time to 'earlier' or 'later'"
    )
    utc_us = chosen.tz_convert("UTC").tz_localize(None).as_unit("us").asi8
    valid = mask & ~gap & ~overlap
    return pa.array(utc_us, type=pa.int64(), mask=~valid).cast(TIME_TYPE), pa.array(
        errors, type=pa.string()
    )

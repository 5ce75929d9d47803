"""Time parsing: formats, zones, DST, and hypothesis properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sujuva.eventlog.timeparse import parse_times

HELSINKI = ZoneInfo("Europe/Helsinki")


def _one(text: str, **kwargs: str) -> tuple[datetime | None, str | None]:
    parsed = parse_times(pa.array([text]), zone=HELSINKI, **kwargs)
    return parsed.values[0].as_py(), parsed.errors[0].as_py()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.4.2017 8.56", "2017-04-12T05:56:00+00:00"),
        ("12.04.2017 08:56:00", "2017-04-12T05:56:00+00:00"),
        ("12.4.2017 klo 8.56", "2017-04-12T05:56:00+00:00"),
        ("1.2.2017 9.05", "2017-02-01T07:05:00+00:00"),
        ("12.4.2017", "2017-04-11T21:00:00+00:00"),
        ("2017-04-12T08:56:00+03:00", "2017-04-12T05:56:00+00:00"),
        ("2017-04-12 08:56:00.250Z", "2017-04-12T08:56:00.250000+00:00"),
        ("2017-04-12T08:56:00-0430", "2017-04-12T13:26:00+00:00"),
        ("2017-04-12T08:56", "2017-04-12T05:56:00+00:00"),
        ("  2017-04-12  ", "2017-04-11T21:00:00+00:00"),
        ("2016-02-29 12:00", "2016-02-29T10:00:00+00:00"),
    ],
)
def test_accepted_forms(text: str, expected: str) -> None:
    value, error = _one(text)
    assert error is None
    assert value is not None and value.isoformat() == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("04/12/2017", "unrecognised"),
        ("2017-13-01", "month"),
        ("29.2.2017", "no such day"),
        ("26.3.2017 3.30", "does not exist"),
        ("29.10.2017 3.30", "occurs twice"),
        ("12.4.2017 24.00", "out of range"),
        ("12.4.1850", "year outside"),
    ],
)
def test_rejected_forms(text: str, reason: str) -> None:
    value, error = _one(text)
    assert value is None
    assert error is not None and reason in error


def test_overlap_resolved_when_asked() -> None:
    earlier, _ = _one("29.10.2017 3.30", ambiguous="earlier")
    later, _ = _one("29.10.2017 3.30", ambiguous="later")
    assert earlier is not None and later is not None
    assert later - earlier == timedelta(hours=1)
    assert earlier.isoformat() == "2017-10-29T00:30:00+00:00"


def test_native_timestamps_naive_are_local() -> None:
    naive = pa.array([datetime(2017, 4, 12, 8, 56)], pa.timestamp("us"))
    aware = pa.array([datetime(2017, 4, 12, 8, 56, tzinfo=UTC)], pa.timestamp("us", tz="UTC"))
    assert (
        parse_times(naive, zone=HELSINKI).values[0].as_py().isoformat()
        == "2017-04-12T05:56:00+00:00"
    )
    assert (
        parse_times(aware, zone=HELSINKI).values[0].as_py().isoformat()
        == "2017-04-12T08:56:00+00:00"
    )


def test_missing_values_are_not_errors() -> None:
    parsed = parse_times(pa.array([None, "", "   "]), zone=HELSINKI)
    assert parsed.values.to_pylist() == [None, None, None]
    assert parsed.errors.to_pylist() == [None, None, None]


instants = st.datetimes(
    min_value=datetime(1901, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)


@given(instant=instants, offset=offsets, micros=st.booleans())
@settings(max_examples=300, deadline=None)
def test_iso_with_offset_round_trips(instant: datetime, offset: timezone, micros: bool) -> None:
    instant = instant if micros else instant.replace(microsecond=0)
    text = instant.astimezone(offset).isoformat()
    value, error = _one(text)
    assert error is None
    assert value == instant


@given(local=st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2090, 12, 31)))
@settings(max_examples=300, deadline=None)
def test_finnish_local_times_round_trip_or_name_the_dst_problem(local: datetime) -> None:
    local = local.replace(second=0, microsecond=0)
    text = f"{local.day}.{local.month}.{local.year} {local.hour}.{local.minute:02d}"
    value, error = _one(text)
    first = local.replace(tzinfo=HELSINKI, fold=0)
    second = local.replace(tzinfo=HELSINKI, fold=1)
    exists = first.astimezone(UTC).astimezone(HELSINKI).replace(tzinfo=None) == local
    if not exists:
        assert error is not None and "does not exist" in error
    elif first.utcoffset() != second.utcoffset():
        assert error is not None and "occurs twice" in error
    else:
        assert error is None and value == first.astimezone(UTC)


@given(st.lists(st.text(max_size=30), max_size=20))
@settings(max_examples=200, deadline=None)
def test_any_text_gives_a_value_or_a_reason_never_an_exception(texts: list[str]) -> None:
    parsed = parse_times(pa.array(texts, pa.string()), zone=HELSINKI)
    for text, value, error in zip(
        texts, parsed.values.to_pylist(), parsed.errors.to_pylist(), strict=True
    ):
        if text.strip():
            assert (value is None) != (error is None)
        else:
            assert value is None and error is None

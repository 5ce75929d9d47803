"""Finnish calendar and Europe/Helsinki wall-clock arithmetic, vectorised with numpy.

The generator works in *local seconds*: seconds since 1970-01-01 00:00 of the Helsinki wall
clock (as if the wall clock were UTC). Office hours and working days are decided on that clock;
:func:`local_to_utc` turns the result into true UTC instants at the end. Daylight saving time
follows the EU rule (last Sunday of March / October at 01:00 UTC), which is exact for every year
the demo uses.

Working days are Monday to Friday except Finnish public holidays as listed by
``holidays.Finland`` (which includes Midsummer Eve and Christmas Eve).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Final

import holidays
import numpy as np
from numpy.typing import NDArray

DAY: Final = 86_400
HOUR: Final = 3_600
WINTER_OFFSET: Final = 2 * HOUR
CALENDAR_YEARS: Final = tuple(range(2014, 2022))

I64 = NDArray[np.int64]
Days = NDArray[np.datetime64]


@lru_cache(maxsize=1)
def finnish_holidays() -> Days:
    """Finnish public holidays 2014–2021 (``holidays.Finland``) as ``datetime64[D]``."""
    calendar = holidays.country_holidays("FI", years=CALENDAR_YEARS)
    return np.array(sorted(calendar.keys()), dtype="datetime64[D]")


@lru_cache(maxsize=1)
def business_calendar() -> np.busdaycalendar:
    """Monday–Friday minus Finnish public holidays."""
    return np.busdaycalendar(weekmask="1111100", holidays=finnish_holidays())


def _last_sunday(year: int, month: int) -> dt.date:
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    last = first_of_next - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - 6) % 7)


@lru_cache(maxsize=1)
def _dst_edges_utc() -> I64:
    """UTC seconds of every DST switch (01:00 UTC on the last Sundays of March and October)."""
    edges = []
    for year in CALENDAR_YEARS:
        for month in (3, 10):
            day = _last_sunday(year, month)
            moment = dt.datetime(day.year, day.month, day.day, 1, tzinfo=dt.UTC)
            edges.append(int(moment.timestamp()))
    return np.array(edges, dtype=np.int64)


def utc_to_local(utc_s: I64) -> I64:
    """Helsinki wall-clock seconds for UTC seconds."""
    idx = np.searchsorted(_dst_edges_utc(), utc_s, side="right")
    return utc_s + WINTER_OFFSET + HOUR * (idx % 2)


def local_to_utc(local_s: I64) -> I64:
    """UTC seconds for Helsinki wall-clock seconds (the repeated hour in October counts as winter
    time; the generator never places events in the night hours where this matters)."""
    idx = np.searchsorted(_dst_edges_utc() + WINTER_OFFSET, local_s, side="right")
    return local_s - WINTER_OFFSET - HOUR * (idx % 2)


def to_days(local_s: I64) -> Days:
    """Local calendar date (``datetime64[D]``) of local seconds."""
    return (local_s // DAY).astype("datetime64[D]")


def day_seconds(days: Days) -> I64:
    """Local seconds of midnight of the given dates."""
    return days.astype("datetime64[D]").astype(np.int64) * DAY


def office_time_of_day(rng: np.random.Generator, n: int) -> I64:
    """Random office-hours times of day (08:00–16:00, busiest in the morning), in seconds."""
    return (rng.triangular(8.0, 9.5, 16.0, n) * HOUR).astype(np.int64)


def online_time_of_day(rng: np.random.Generator, n: int) -> I64:
    """Random times of day of self-service online actions (07:00–23:30, busiest evenings)."""
    return (rng.triangular(7.0, 20.0, 23.5, n) * HOUR).astype(np.int64)


def place_office(earliest: I64, rng: np.random.Generator) -> I64:
    """A random office-hours instant on the first working day that has one after ``earliest``."""
    cal = business_calendar()
    day = np.busday_offset(to_days(earliest), 0, roll="forward", busdaycal=cal)
    tod = office_time_of_day(rng, earliest.size)
    same = day_seconds(day) + tod
    following = day_seconds(np.busday_offset(day, 1, roll="forward", busdaycal=cal)) + tod
    return np.where(same > earliest, same, following)


def place_online(earliest: I64, rng: np.random.Generator) -> I64:
    """A random online-activity instant (any day, 07:00–23:30) after ``earliest``."""
    tod = online_time_of_day(rng, earliest.size)
    same = (earliest // DAY) * DAY + tod
    return np.where(same > earliest, same, same + DAY)


def place_after_working_days(previous: I64, working_days: I64, rng: np.random.Generator) -> I64:
    """An office-hours instant exactly ``working_days`` Finnish working days after the local date
    of ``previous`` (counting working days strictly after that date); ``working_days`` >= 1."""
    cal = business_calendar()
    day = np.busday_offset(to_days(previous), working_days, roll="backward", busdaycal=cal)
    return day_seconds(day) + office_time_of_day(rng, previous.size)


def working_days_after(start: Days, end: Days) -> I64:
    """Finnish working days d with ``start < d <= end`` (local dates)."""
    cal = business_calendar()
    one = np.timedelta64(1, "D")
    counts: I64 = np.busday_count(start + one, end + one, busdaycal=cal).astype(np.int64)
    return counts


def add_months(days: Days, months: int) -> Days:
    """The same day of the month ``months`` later, clipped to the end of a shorter month."""
    month = days.astype("datetime64[M]")
    day_of_month = days.astype("datetime64[D]") - month.astype("datetime64[D]")
    target = month + np.timedelta64(months, "M")
    month_days = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype(
        "datetime64[D]"
    )
    clipped = np.minimum(day_of_month, month_days - np.timedelta64(1, "D"))
    result: Days = target.astype("datetime64[D]") + clipped
    return result


def local_seconds(moment: dt.datetime) -> int:
    """Local seconds of a naive Helsinki wall-clock datetime."""
    return int(moment.replace(tzinfo=dt.UTC).timestamp())


def date_days(day: dt.date) -> int:
    """Days since 1970-01-01 of a date."""
    return (day - dt.date(1970, 1, 1)).days

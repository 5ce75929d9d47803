"""Time measured in calendar months, for monthly progress and forecasts.

A *position* is a real number of months since the first day of an origin month: month ``k``
covers positions ``[k, k + 1)``, and day ``d`` of a month with ``n`` days covers
``[k + (d − 1)/n, k + d/n)``. Calendar months differ in length; positions make "30 jobs a
month" mean the same in February as in March, and turn fractional months back into dates.
"""

from __future__ import annotations

import calendar
import math
from datetime import date


def days_in_month(year: int, month: int) -> int:
    """Number of days in the month."""
    return calendar.monthrange(year, month)[1]


def month_index(day: date, *, origin: date) -> int:
    """Whole months from ``origin``'s month to ``day``'s month (0 for the same month)."""
    return (day.year - origin.year) * 12 + day.month - origin.month


def month_start(index: int, *, origin: date) -> date:
    """The first day of month ``index`` counted from ``origin``'s month."""
    months = origin.month - 1 + index
    return date(origin.year + months // 12, months % 12 + 1, 1)


def start_of_day(day: date, *, origin: date) -> float:
    """Position of the beginning of ``day``."""
    return month_index(day, origin=origin) + (day.day - 1) / days_in_month(day.year, day.month)


def end_of_day(day: date, *, origin: date) -> float:
    """Position of the end of ``day`` (records dated ``day`` are counted by then)."""
    return month_index(day, origin=origin) + day.day / days_in_month(day.year, day.month)


def date_at(position: float, *, origin: date) -> date:
    """The day during which ``position`` falls (a position exactly at a day's end gives that
    day, so ``date_at(end_of_day(d)) == d``)."""
    index = math.floor(position)
    fraction = position - index
    if fraction <= 1e-12:
        index -= 1
        fraction = 1.0
    first = month_start(index, origin=origin)
    length = days_in_month(first.year, first.month)
    day = min(max(math.ceil(fraction * length - 1e-9), 1), length)
    return first.replace(day=day)

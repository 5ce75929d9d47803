"""Fictional personal identity codes and business IDs for the demo region, drawn with numpy.

A personal identity code (*henkilötunnus*) is ``DDMMYYCZZZQ``: the date of birth, a century sign
(``-`` or, since 2023, ``Y`` ``X`` ``W`` ``V`` ``U`` for the 1900s; ``A`` or ``B``–``F`` for the
2000s; the same date and number under another sign is another person), a three-digit
individual number and a check character ``CHECK_CHARACTERS[int(DDMMYYZZZ) % 31]`` (the DVV
rule). The demo's individual numbers lie in the temporary range 900–999, so no code can be a
real person's. A business ID (*Y-tunnus*) is ``NNNNNNN-C``; the demo's lie in the unissued range
9000000–9999999, with the official check digit (weights 7, 9, 10, 5, 8, 4, 2; r = sum mod 11;
r = 0 gives 0, r = 1 is never issued, else 11 − r).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from sujuva.demo.cases import AGE_GROUPS

CHECK_CHARACTERS: Final = "0123456789ABCDEFHJKLMNPRSTUVWXY"
#: Temporary individual numbers: 900–999 (never issued to a person by the DVV).
FIRST_INDIVIDUAL: Final = 900
INDIVIDUALS: Final = 100
#: Ages (in full years, at the case start) that each age group is drawn from: [low, high).
AGE_RANGES: Final = {"under 25": (18, 25), "25-29": (25, 30), "30-49": (30, 50), "50+": (50, 65)}
#: Share of customers whose code uses a 2023 century sign (``Y`` / ``B``).
NEW_SIGN_SHARE: Final = 0.10
YTUNNUS_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2)
FIRST_BUSINESS_ID: Final = 9_000_000
BUSINESS_IDS: Final = 1_000_000
_YEAR_DAYS: Final = 365.2425
_MARGIN_DAYS: Final = 2  # keeps the drawn age clear of the calendar's leap-day rounding
_MAX_ROUNDS: Final = 200
_ROUNDS_PER_SIGN: Final = 8
#: Century signs in the order the DVV takes them into use (``-`` / ``A`` first).
SIGNS_1900S: Final = "-YXWVU"
SIGNS_2000S: Final = "ABCDEF"

I64 = NDArray[np.int64]


def check_characters(numbers: I64) -> NDArray[np.str_]:
    """The check character of each ``DDMMYYZZZ`` read as an integer."""
    return np.asarray(list(CHECK_CHARACTERS))[numbers % 31]


def birth_windows(
    *, case_customer: I64, case_start_day: I64, case_age_group: NDArray[np.integer], customers: int
) -> tuple[I64, I64]:
    """Per customer, the first and last possible birth day (days since 1970-01-01) so that the
    age at the start of each of the customer's cases lies in the case's age group.

    ``case_age_group`` holds codes into :data:`~sujuva.demo.cases.AGE_GROUPS`. Where the cases'
    windows do not intersect, the window of the customer's earliest case is used.
    """
    ranges = np.array([AGE_RANGES[group] for group in AGE_GROUPS], dtype=np.float64)
    low_age, high_age = ranges[case_age_group, 0], ranges[case_age_group, 1]
    first = case_start_day - np.floor(high_age * _YEAR_DAYS).astype(np.int64) + _MARGIN_DAYS
    last = case_start_day - np.ceil(low_age * _YEAR_DAYS).astype(np.int64) - _MARGIN_DAYS
    lo = np.full(customers, np.iinfo(np.int64).min, dtype=np.int64)
    hi = np.full(customers, np.iinfo(np.int64).max, dtype=np.int64)
    np.maximum.at(lo, case_customer, first)
    np.minimum.at(hi, case_customer, last)
    empty = np.flatnonzero(lo > hi)
    if empty.size:
        order = np.lexsort((case_start_day, case_customer))
        keep = np.ones(order.size, dtype=np.bool_)
        keep[1:] = case_customer[order][1:] != case_customer[order][:-1]
        earliest = order[keep]
        lo_first = np.empty(customers, dtype=np.int64)
        hi_first = np.empty(customers, dtype=np.int64)
        lo_first[case_customer[earliest]] = first[earliest]
        hi_first[case_customer[earliest]] = last[earliest]
        lo[empty], hi[empty] = lo_first[empty], hi_first[empty]
    return lo, hi


def draw_identity_codes(*, first_day: I64, last_day: I64, rng: np.random.Generator) -> pa.Array:
    """One valid, unique fictional identity code per customer, born within
    ``[first_day, last_day]`` (days since 1970-01-01, inclusive).

    About :data:`NEW_SIGN_SHARE` of the customers get the first 2023 century sign (``Y`` /
    ``B``), the others ``-`` / ``A``. A birth date holds 100 individual numbers (900–999) per
    century sign; customers beyond that are re-drawn (birth date and number), and those still
    without a free number after a few rounds move on to the next sign, as the DVV does.
    """
    sign = (rng.random(first_day.size) < NEW_SIGN_SHARE).astype(np.int64)
    day, sign, slot = _unique_slots(first_day, last_day, sign, rng)
    individual = FIRST_INDIVIDUAL + (slot * 37 + day * 11 + sign * 7) % INDIVIDUALS  # bijective
    dates = day.astype("datetime64[D]")
    year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    ddmmyy = (dom * 100 + month) * 100 + year % 100
    signs = np.where(
        year >= 2000, np.asarray(list(SIGNS_2000S))[sign], np.asarray(list(SIGNS_1900S))[sign]
    )
    check = check_characters(ddmmyy * 1000 + individual)
    return pc.binary_join_element_wise(
        _digits(ddmmyy, 6), pa.array(signs), _digits(individual, 3), pa.array(check), ""
    )


def _unique_slots(
    first_day: I64, last_day: I64, sign: I64, rng: np.random.Generator
) -> tuple[I64, I64, I64]:
    """Per customer a birth day, a century-sign index and a slot (0–99) such that no two
    customers share all three."""
    n = first_day.size
    day = rng.integers(first_day, last_day + 1) if n else np.zeros(0, np.int64)
    slot = np.full(n, -1, dtype=np.int64)
    origin = int(first_day.min()) if n else 0
    span = (int(last_day.max()) - origin + 1) if n else 1
    used = np.zeros(len(SIGNS_1900S) * span, dtype=np.int64)
    pending = np.arange(n, dtype=np.int64)
    for round_ in range(_MAX_ROUNDS):
        if pending.size == 0:
            return day, sign, slot
        keys = sign[pending] * span + day[pending] - origin
        order = np.lexsort((rng.random(pending.size), keys))
        ordered = keys[order]
        new_key = np.ones(ordered.size, dtype=np.bool_)
        new_key[1:] = ordered[1:] != ordered[:-1]
        key_start = np.flatnonzero(new_key)
        rank = np.arange(ordered.size) - np.repeat(
            key_start, np.diff(np.append(key_start, ordered.size))
        )
        taken = used[ordered] + rank
        fits = taken < INDIVIDUALS
        slot[pending[order[fits]]] = taken[fits]
        used += np.bincount(ordered[fits], minlength=used.size)
        pending = pending[order[~fits]]
        day[pending] = rng.integers(first_day[pending], last_day[pending] + 1)
        if round_ % _ROUNDS_PER_SIGN == _ROUNDS_PER_SIGN - 1:
            sign[pending] = np.minimum(sign[pending] + 1, len(SIGNS_1900S) - 1)
    raise RuntimeError("too many customers for the birth dates of their age groups")


def business_id_check_digits(numbers: I64) -> I64:
    """The check digit of each 7-digit business ID number; -1 where none exists (r == 1)."""
    digits = (numbers[:, None] // 10 ** np.arange(6, -1, -1, dtype=np.int64)) % 10
    remainder = (digits @ np.asarray(YTUNNUS_WEIGHTS, dtype=np.int64)) % 11
    return np.where(remainder == 0, 0, np.where(remainder == 1, -1, 11 - remainder))


def draw_business_ids(n: int, *, rng: np.random.Generator) -> pa.Array:
    """``n`` distinct valid business IDs (``9123456-7``) from the unissued range 9000000–9999999."""
    if n > BUSINESS_IDS * 0.85:
        raise RuntimeError(f"cannot draw {n} business IDs from the unissued range")
    numbers = np.zeros(0, dtype=np.int64)
    take = int(n * 1.2) + 16
    while True:
        drawn = rng.choice(BUSINESS_IDS, size=min(take, BUSINESS_IDS), replace=False)
        numbers = drawn.astype(np.int64) + FIRST_BUSINESS_ID
        numbers = numbers[business_id_check_digits(numbers) >= 0]
        if numbers.size >= n:
            break
        take *= 2
    numbers = numbers[:n]
    check = business_id_check_digits(numbers)
    return pc.binary_join_element_wise(_digits(numbers, 7), _digits(check, 1), "-")


def mistype(code: str) -> str:
    """The code with the last two digits of its individual number swapped (the check character
    kept, so it no longer matches). The two digits must differ."""
    if code[8] == code[9]:
        raise ValueError("the last two digits of the individual number are the same")
    return code[:8] + code[9] + code[8] + code[10:]


def _digits(values: I64, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(values, pa.int64()), pa.string()), width, "0")

"""From simulated timelines to the events table: case selection, truncation at the data cut,
customer linking and the vectorised construction of the Arrow columns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from sujuva.demo.cases import (
    AGE_GROUPS,
    EDUCATIONS,
    MUNICIPALITIES,
    SECTORS,
    Population,
    sample_population,
)
from sujuva.demo.catalogue import (
    ACTIVITIES,
    CASE_PREFIX,
    CHANNELS,
    ENTREPRENEUR,
    GRADUATE,
    JOB_SEARCH,
    ORGANISATIONS,
    OUTCOME,
    OUTCOMES,
    PATHS,
    VALUE_CLASSES,
    staff_ids,
)
from sujuva.demo.flow import Timeline
from sujuva.demo.paths import SIMULATORS
from sujuva.demo.timekeeping import DAY, I64, utc_to_local
from sujuva.eventlog.model import CORE_SCHEMA, TIME_TYPE

DATA_CUT: Final = dt.datetime(2018, 12, 31, 23, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=2)))
CUT_UTC: Final = int(DATA_CUT.timestamp())
#: Calibrated mean number of published events per case (used to size the case sample).
EVENTS_PER_CASE: Final = 7.0
#: Share of "became an entrepreneur" graduates / job seekers who walk the entrepreneur path too.
LINK_PROBABILITY: Final = 0.6
RATED_SHARE: Final = 0.30
#: Rating distributions (1..5) by value class: value_adding, necessary, waste.
RATING_P: Final = (
    (0.02, 0.05, 0.13, 0.40, 0.40),
    (0.05, 0.12, 0.33, 0.35, 0.15),
    (0.30, 0.35, 0.22, 0.10, 0.03),
)
CASE_ATTRIBUTES: Final = (
    ("case:age_group", AGE_GROUPS),
    ("case:education", EDUCATIONS),
    ("case:municipality", MUNICIPALITIES),
    ("case:sector", SECTORS),
)
EVENTS_SCHEMA: Final = pa.schema(
    [
        *CORE_SCHEMA,
        pa.field("rating", pa.int8()),
        *(pa.field(name, pa.string(), nullable=False) for name, _ in CASE_ATTRIBUTES),
    ]
)


@dataclass(frozen=True)
class Cases:
    """Case-level arrays in table order (paths in sort order, then case number)."""

    path: NDArray[np.int8]
    number: NDArray[np.int64]  # 1-based case number within the path
    population: Population
    customer: NDArray[np.int64]
    first_utc: I64  # earliest recorded instant
    last_utc: I64  # completion of the final (outcome) event, uncensored
    closed: NDArray[np.bool_]


@dataclass(frozen=True)
class Rows:
    """Event-level arrays in table order."""

    case: NDArray[np.int64]
    activity: NDArray[np.int16]
    actor: NDArray[np.int16]
    channel: NDArray[np.int8]
    resource: NDArray[np.int32]
    start_utc: I64
    has_start: NDArray[np.bool_]
    end_utc: I64
    rating: NDArray[np.int8]  # 0 = not rated
    outcome: NDArray[np.int8]  # -1 = none


@dataclass(frozen=True)
class Simulation:
    """Everything the table and the ground truth are built from."""

    timelines: dict[str, Timeline]  # kept cases, in table order
    case_offset: dict[str, int]  # index of each path's first case in ``cases``
    cases: Cases
    rows: Rows


def observed(timeline: Timeline) -> list[NDArray[np.bool_]]:
    """Per slot: the cases whose event is published (completed by the data cut)."""
    return [slot.mask & (slot.end_utc <= CUT_UTC) for slot in timeline.slots]


def simulate(seed: int, target_events: int) -> Simulation:
    """Simulate enough cases for ``target_events`` published events (overshooting by less than
    one case) and assemble them."""
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    n = int(target_events / EVENTS_PER_CASE * 1.15) + 64
    while True:
        pop = sample_population(n, streams[0])
        timelines, index = {}, {}
        counts = np.zeros(n, dtype=np.int64)
        for code, path in enumerate(PATHS):
            index[path] = np.flatnonzero(pop.path == code)
            timelines[path] = SIMULATORS[path](pop.subset(index[path]), streams[1 + code])
            counts[index[path]] = np.sum(observed(timelines[path]), axis=0)
        total = np.cumsum(counts)
        if total[-1] >= target_events:
            break
        n = int(n * 1.5)
    chosen = int(np.searchsorted(total, target_events)) + 1
    kept = {}
    for path in PATHS:
        local = np.flatnonzero(index[path] < chosen)
        first = timelines[path].first_instant()[local]
        order = local[np.lexsort((index[path][local], first))]
        kept[path] = (timelines[path].subset(order), pop.subset(index[path][order]))
    cases, offsets = _cases(kept, streams[5])
    timelines_kept = {path: kept[path][0] for path in PATHS}
    rows = _rows(timelines_kept, offsets, streams[6])
    return Simulation(timelines_kept, offsets, cases, rows)


def _cases(
    kept: dict[str, tuple[Timeline, Population]], rng: np.random.Generator
) -> tuple[Cases, dict[str, int]]:
    offsets, start = {}, 0
    for path in PATHS:
        offsets[path] = start
        start += kept[path][1].size
    pops = [kept[p][1] for p in PATHS]
    population = Population(*(np.concatenate([getattr(p, f) for p in pops]) for f in _FIELDS))
    number = np.concatenate([np.arange(1, p.size + 1, dtype=np.int64) for p in pops])
    first = np.concatenate([kept[p][0].first_instant() for p in PATHS])
    last = np.concatenate([kept[p][0].last_instant() for p in PATHS])
    outcome = np.concatenate([kept[p][0].outcome for p in PATHS])
    width = max(7, len(str(start * 5)))
    customer = rng.choice(10**width, size=start, replace=False).astype(np.int64)
    closed = last <= CUT_UTC
    population = _link_customers(population, customer, last, outcome, closed, rng)
    cases = Cases(population.path, number, population, customer, first, last, closed)
    return cases, offsets


_FIELDS: Final = ("path", "start_day", "age", "education", "municipality", "sector")


def _link_customers(
    pop: Population,
    customer: NDArray[np.int64],
    last: I64,
    outcome: NDArray[np.int8],
    closed: NDArray[np.bool_],
    rng: np.random.Generator,
) -> Population:
    """Graduates and job seekers who ended as entrepreneurs walk a later entrepreneur case of
    the same municipality (same customer id, age group and education). Updates ``customer``."""
    donor_paths = np.isin(pop.path, (PATHS.index(GRADUATE), PATHS.index(JOB_SEARCH)))
    willing = rng.random(pop.size) < LINK_PROBABILITY
    donors = np.flatnonzero(donor_paths & closed & (outcome == OUTCOME["entrepreneur"]) & willing)
    donors = donors[rng.permutation(donors.size)]
    ent = np.flatnonzero(pop.path == PATHS.index(ENTREPRENEUR))
    span = 100_000
    ent_key = pop.municipality[ent].astype(np.int64) * span + pop.start_day[ent]
    ent = ent[np.argsort(ent_key, kind="stable")]
    ent_key = np.sort(ent_key, kind="stable")
    free_day = utc_to_local(last[donors]) // DAY + 1
    donor_key = pop.municipality[donors].astype(np.int64) * span + free_day
    slot = np.searchsorted(ent_key, donor_key) + rng.integers(0, 3, donors.size)
    ok = slot < ent.size
    donors, slot, free_day = donors[ok], slot[ok], free_day[ok]
    target = ent[slot]
    ok = (pop.municipality[target] == pop.municipality[donors]) & (
        pop.start_day[target] - free_day <= 180
    )
    donors, target = donors[ok], target[ok]
    _, first = np.unique(target, return_index=True)
    donors, target = donors[first], target[first]
    customer[target] = customer[donors]
    age, education = pop.age.copy(), pop.education.copy()
    age[target], education[target] = pop.age[donors], pop.education[donors]
    return Population(pop.path, pop.start_day, age, education, pop.municipality, pop.sector)


def _rows(
    timelines: dict[str, Timeline], offsets: dict[str, int], rng: np.random.Generator
) -> Rows:
    masks = {path: observed(timelines[path]) for path in PATHS}
    total = int(sum(int(np.sum(m)) for path in PATHS for m in masks[path]))
    rows = Rows(
        case=np.zeros(total, np.int64),
        activity=np.zeros(total, np.int16),
        actor=np.zeros(total, np.int16),
        channel=np.zeros(total, np.int8),
        resource=np.zeros(total, np.int32),
        start_utc=np.zeros(total, np.int64),
        has_start=np.zeros(total, np.bool_),
        end_utc=np.zeros(total, np.int64),
        rating=np.zeros(total, np.int8),
        outcome=np.zeros(total, np.int8),
    )
    row_offset = 0
    for path in PATHS:
        counts = np.sum(masks[path], axis=0).astype(np.int64)
        base = row_offset + np.cumsum(counts) - counts
        _fill_path(rows, timelines[path], masks[path], base, offsets[path], rng)
        row_offset += int(counts.sum())
    return rows


def _fill_path(
    rows: Rows,
    timeline: Timeline,
    masks: list[NDArray[np.bool_]],
    base: I64,
    case_offset: int,
    rng: np.random.Generator,
) -> None:
    running = np.zeros(base.size, dtype=np.int64)
    last = timeline.last_slot()
    staff, first_staff = _staff_arrays()
    rating_cum = np.cumsum(np.asarray(RATING_P), axis=1)
    for number, (slot, mask) in enumerate(zip(timeline.slots, masks, strict=True)):
        idx = np.flatnonzero(mask)
        pos = base[idx] + running[idx]
        running[idx] += 1
        rows.case[pos] = case_offset + idx
        rows.activity[pos] = slot.activity
        rows.actor[pos] = slot.actor[idx]
        rows.channel[pos] = slot.channel[idx]
        rows.end_utc[pos] = slot.end_utc[idx]
        if slot.start_utc is not None:
            rows.start_utc[pos] = slot.start_utc[idx]
            rows.has_start[pos] = True
        actor = slot.actor[idx]
        pool = staff[actor] if slot.staffed else np.zeros(idx.size, dtype=np.int64)
        member = (rng.random(idx.size) ** 1.5 * pool).astype(np.int64)
        rows.resource[pos] = np.where(pool > 0, first_staff[actor] + member, -1)
        cls = VALUE_CLASSES.index(slot.value_class)
        stars = np.searchsorted(rating_cum[cls], rng.random(idx.size) * rating_cum[cls][-1]) + 1
        rows.rating[pos] = np.where(rng.random(idx.size) < RATED_SHARE, stars, 0)
        rows.outcome[pos] = np.where(last[idx] == number, timeline.outcome[idx], -1)


def _staff_arrays() -> tuple[I64, I64]:
    _, first = staff_ids()
    staff = np.array([org.staff for org in ORGANISATIONS], dtype=np.int64)
    return staff, np.array(first, dtype=np.int64)


# --- Arrow -----------------------------------------------------------------------------------


def _strings(values: tuple[str, ...]) -> pa.Array:
    return pa.array(values, type=pa.string())


def _take(values: tuple[str, ...], codes: NDArray[np.integer], nullable: bool = False) -> pa.Array:
    indices = pa.array(codes, mask=codes < 0) if nullable else pa.array(codes)
    return pc.take(_strings(values), indices)


def _ids(prefix: str, numbers: NDArray[np.int64], width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "-")


def _case_ids(sim: Simulation) -> pa.Array:
    parts = []
    for code, path in enumerate(PATHS):
        numbers = sim.cases.number[sim.cases.path == code]
        width = max(6, len(str(numbers.size)))
        parts.append(_ids(CASE_PREFIX[path], numbers, width))
    return pa.concat_arrays(parts)


def _times(values: I64, valid: NDArray[np.bool_] | None = None) -> pa.Array:
    micros = values * 1_000_000
    mask = None if valid is None else ~valid
    return pa.array(micros, mask=mask, type=pa.int64()).cast(TIME_TYPE)


def events_table(sim: Simulation) -> pa.Table:
    """The published events table (see the package docstring for the columns)."""
    rows, cases = sim.rows, sim.cases
    case_index = pa.array(rows.case)
    width = max(7, len(str(int(cases.customer.max(initial=0)))))
    customer = _ids("cust", cases.customer, width)
    resources, _ = staff_ids()
    short_names = tuple(org.short_name for org in ORGANISATIONS)
    columns = [
        pc.take(_case_ids(sim), case_index),
        pc.take(customer, case_index),
        _take(PATHS, cases.path[rows.case]),
        _take(ACTIVITIES, rows.activity),
        _take(short_names, rows.actor),
        _times(rows.end_utc),
        _times(rows.start_utc, rows.has_start),
        _take(resources, rows.resource, nullable=True),
        _take(CHANNELS, rows.channel, nullable=True),
        _take(OUTCOMES, rows.outcome, nullable=True),
        pa.array(rows.rating, mask=rows.rating == 0, type=pa.int8()),
    ]
    pop = cases.population
    for (_, values), codes in zip(
        CASE_ATTRIBUTES, (pop.age, pop.education, pop.municipality, pop.sector), strict=True
    ):
        columns.append(_take(values, codes[rows.case]))
    return pa.Table.from_arrays(columns, schema=EVENTS_SCHEMA)

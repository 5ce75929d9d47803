"""The ground truth of a generated region, computed from the generated arrays.

Everything "realised" is computed from the published (truncated) events with the conventions
written into ``ground_truth["conventions"]``; everything "true" or "uncensored" from the full
simulated histories before truncation at the data cut.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from sujuva.demo.assemble import DATA_CUT, Simulation
from sujuva.demo.cases import EDUCATIONS, FIRST_START, LAST_START, MUNICIPALITIES
from sujuva.demo.catalogue import (
    ACT,
    ACTIVITIES,
    CASE_PREFIX,
    ENTREPRENEUR,
    GRADUATE,
    JOB_SEARCH,
    PATHS,
    WORK_TO_WORK,
)
from sujuva.demo.paths import (
    BOTTLENECKS,
    GROUP_GUIDANCE_START,
    ONE_STOP_EFFECT_DAYS,
    ONE_STOP_START,
    REWORK_PROBABILITY,
    TIE_PROBABILITY,
)
from sujuva.demo.timekeeping import (
    DAY,
    I64,
    add_months,
    date_days,
    to_days,
    utc_to_local,
    working_days_after,
)

GENERATOR_VERSION: Final = 1

CONVENTIONS: Final = {
    "timezone": "Europe/Helsinki",
    "transition": "two consecutive events of a case in table order (sorted by path, case_id, "
    "timestamp; ties keep generation order)",
    "wait": "start_timestamp of the later event (its timestamp when start_timestamp is null) "
    "minus the timestamp of the earlier event, floored at 0",
    "waiting_share": "sum of the waits of a transition (from activity, to activity) divided by "
    "the sum of all waits on the path (volume x wait)",
    "lead_time": "timestamp of the case's outcome event minus the earliest instant of the case "
    "(start_timestamp of its first event, or its timestamp when null), in days of 86400 s",
    "true_median_lead_time_days": "median lead time over all cases of the path, computed from the "
    "full histories before truncation at the data cut",
    "open_case": "a case whose outcome event falls after the data cut: its events after the cut "
    "are removed and no event carries an outcome",
    "rework_share": "cases of the path in which the activity occurs at least twice / cases of the "
    "path in which it occurs at least once (published events)",
    "duplicate_contact_share": "cases of the path in which every listed activity occurs (any "
    "actor) / all cases of the path (published events)",
    "deadline": "cases in scope: the case has both activities (first occurrence of each) and the "
    "local date of from_activity lies in [effective_from, effective_to]. working_days: the "
    "deadline is met iff the number of Finnish working days (Mon-Fri except holidays.Finland) d "
    "with local date(from.timestamp) < d <= local date(to.timestamp) is <= limit. months: met "
    "iff local date(to.timestamp) <= local date(from.timestamp) + limit calendar months (day of "
    "month clipped to the month's end). breach_share = breaches / cases_in_scope",
    "pilot_assignment": "a case is in a pilot when its case attributes match the group and the "
    "local date of its first event is on or after the pilot start",
    "pilot_duration": "outcome_to timestamp (first occurrence) minus outcome_from timestamp (first "
    "occurrence), in days; uncensored medians use the full histories",
}


def ground_truth(
    sim: Simulation, *, seed: int, size: str | None, target_events: int
) -> dict[str, Any]:
    """The JSON-serialisable ground truth of a simulation (``size`` None when the event count
    was given explicitly)."""
    cases, rows = sim.cases, sim.rows
    multi = np.unique(cases.customer, return_counts=True)[1]
    tied = (rows.end_utc[1:] == rows.end_utc[:-1]) & (rows.case[1:] == rows.case[:-1])
    return {
        "generator": {
            "name": "sujuva.demo",
            "version": GENERATOR_VERSION,
            "seed": seed,
            "size": size,
            "target_events": target_events,
        },
        "data_cut": DATA_CUT.isoformat(),
        "case_start_window": {"from": FIRST_START.isoformat(), "to": LAST_START.isoformat()},
        "baseline_year": 2016,
        "conventions": CONVENTIONS,
        "totals": {
            "events": int(rows.case.size),
            "cases": int(cases.path.size),
            "open_cases": int(np.sum(~cases.closed)),
            "customers": int(multi.size),
            "customers_with_several_cases": int(np.sum(multi > 1)),
            "cases_with_tied_timestamps": int(np.unique(rows.case[1:][tied]).size),
            "tie_probability_per_closing_event": TIE_PROBABILITY,
        },
        "paths": {path: _path_truth(sim, path) for path in PATHS},
        "rework": [_rework(sim, ENTREPRENEUR, "Business plan and calculations")],
        "duplicate_contact": _duplicate_contacts(sim),
        "deadlines": _deadlines(sim),
        "deadline_rules_out_of_scope": [_FIVE_DAY_RULE],
        "pilots": _pilots(sim),
        "value_ratings": _value_ratings(sim),
    }


# --- helpers ---------------------------------------------------------------------------------


def _days(seconds: NDArray[np.int64] | NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(seconds, dtype=np.float64) / DAY


def _median(values: NDArray[np.float64]) -> float | None:
    return float(np.median(values)) if values.size else None


def _path_rows(sim: Simulation, path: str) -> NDArray[np.int64]:
    code = PATHS.index(path)
    return np.flatnonzero(sim.cases.path[sim.rows.case] == code)


def _path_cases(sim: Simulation, path: str) -> NDArray[np.int64]:
    return np.flatnonzero(sim.cases.path == PATHS.index(path))


def _first_time(sim: Simulation, rows: NDArray[np.int64], activity: str) -> I64:
    """Per case (all cases of the table): UTC end of the first ``activity`` event, or -1."""
    hit = rows[sim.rows.activity[rows] == ACT[activity]]
    result = np.full(sim.cases.path.size, -1, dtype=np.int64)
    case, first = np.unique(sim.rows.case[hit], return_index=True)
    result[case] = sim.rows.end_utc[hit[first]]
    return result


# --- per path --------------------------------------------------------------------------------


def _path_truth(sim: Simulation, path: str) -> dict[str, Any]:
    idx = _path_cases(sim, path)
    cases = sim.cases
    lead = _days(cases.last_utc[idx] - cases.first_utc[idx])
    closed = cases.closed[idx]
    year = sim.cases.population.start_day[idx].astype("datetime64[D]").astype("datetime64[Y]")
    cohorts = {}
    for value in np.unique(year):
        sel = year == value
        cohorts[str(value)] = {
            "cases": int(sel.sum()),
            "open_cases": int(np.sum(sel & ~closed)),
            "true_median_lead_time_days": _median(lead[sel]),
            "completed_only_median_lead_time_days": _median(lead[sel & closed]),
        }
    return {
        "by_start_year": cohorts,
        "case_id_prefix": CASE_PREFIX[path],
        "cases": int(idx.size),
        "open_cases": int(np.sum(~closed)),
        "events": int(_path_rows(sim, path).size),
        "true_median_lead_time_days": _median(lead),
        "completed_only_median_lead_time_days": _median(lead[closed]),
        "bottleneck": _bottleneck(sim, path),
    }


def _transitions(sim: Simulation, path: str) -> tuple[I64, NDArray[np.float64]]:
    rows = _path_rows(sim, path)
    r = sim.rows
    same = r.case[rows[1:]] == r.case[rows[:-1]]
    earlier, later = rows[:-1][same], rows[1:][same]
    start = np.where(r.has_start[later], r.start_utc[later], r.end_utc[later])
    wait = _days(np.maximum(start - r.end_utc[earlier], 0))
    pair = r.activity[earlier].astype(np.int64) * len(ACTIVITIES) + r.activity[later]
    return pair, wait


def _bottleneck(sim: Simulation, path: str) -> dict[str, Any]:
    """The injected bottleneck with its realised median wait and waiting share."""
    pair, wait = _transitions(sim, path)
    source, target = BOTTLENECKS[path]
    key = ACT[source] * len(ACTIVITIES) + ACT[target]
    total = float(wait.sum())
    sums = np.bincount(pair, weights=wait, minlength=len(ACTIVITIES) ** 2)
    share = float(sums[key] / total) if total else 0.0
    others = np.delete(sums, key)
    runner = int(np.argmax(others)) if others.size else 0
    runner_key = runner if runner < key else runner + 1
    return {
        "from": source,
        "to": target,
        "median_wait_days": _median(wait[pair == key]),
        "transitions": int(np.sum(pair == key)),
        "waiting_share": share,
        "runner_up": {
            "from": ACTIVITIES[runner_key // len(ACTIVITIES)],
            "to": ACTIVITIES[runner_key % len(ACTIVITIES)],
            "waiting_share": float(others[runner] / total) if total else 0.0,
        },
    }


# --- rework and duplicate contacts -----------------------------------------------------------


def _activity_counts(sim: Simulation, path: str, activity: str) -> I64:
    rows = _path_rows(sim, path)
    hit = rows[sim.rows.activity[rows] == ACT[activity]]
    return np.bincount(sim.rows.case[hit], minlength=sim.cases.path.size)


def _rework(sim: Simulation, path: str, activity: str) -> dict[str, Any]:
    counts = _activity_counts(sim, path, activity)
    eligible, reworked = int(np.sum(counts >= 1)), int(np.sum(counts >= 2))
    return {
        "path": path,
        "activity": activity,
        "share_of_cases": reworked / eligible if eligible else 0.0,
        "cases_with_rework": reworked,
        "cases_with_activity": eligible,
        "loop": ["Enterprise agency statement", activity, "Enterprise agency statement"],
        "probability_after_statement": REWORK_PROBABILITY,
    }


DUPLICATES: Final = (
    (
        WORK_TO_WORK,
        "work history, education and skills",
        (("Registration as job seeker", "TE Office"), ("Skills survey", "Staffing firm")),
    ),
    (
        JOB_SEARCH,
        "work history, education and life situation",
        (("Initial interview", "TE Office"), ("Municipal interview", "Joensuu")),
    ),
)


def _duplicate_contacts(sim: Simulation) -> list[dict[str, Any]]:
    result = []
    for path, information, steps in DUPLICATES:
        both = np.ones(sim.cases.path.size, dtype=np.bool_)
        for activity, _ in steps:
            both &= _activity_counts(sim, path, activity) > 0
        n_cases = _path_cases(sim, path).size
        result.append(
            {
                "path": path,
                "information": information,
                "steps": [{"activity": a, "actor": actor} for a, actor in steps],
                "cases": int(both.sum()),
                "share_of_cases": float(both.sum() / n_cases) if n_cases else 0.0,
            }
        )
    return result


# --- deadlines -------------------------------------------------------------------------------

_FIVE_DAY_RULE: Final = {
    "path": JOB_SEARCH,
    "rule_id": "JS-INITIAL-INTERVIEW-5WD",
    "from_activity": "Registration as job seeker",
    "to_activity": "Initial interview",
    "limit": 5,
    "unit": "working_days",
    "effective_from": "2022-05-02",
    "effective_to": None,
    "note": "later rule; no demo case falls in its effective period",
}
DEADLINES: Final = (
    {
        "path": JOB_SEARCH,
        "rule_id": "JS-INITIAL-INTERVIEW-10WD",
        "description": "Initial interview within 10 working days of registration",
        "from_activity": "Registration as job seeker",
        "to_activity": "Initial interview",
        "limit": 10,
        "unit": "working_days",
        "effective_from": "2013-01-01",
        "effective_to": "2022-05-01",
    },
    {
        "path": GRADUATE,
        "rule_id": "YG-OFFER-3M",
        "description": "Youth-guarantee offer within 3 months of registration",
        "from_activity": "Registration as job seeker",
        "to_activity": "Youth-guarantee offer",
        "limit": 3,
        "unit": "months",
        "effective_from": "2013-01-01",
        "effective_to": None,
    },
)


def _deadlines(sim: Simulation) -> list[dict[str, Any]]:
    result = []
    for rule in DEADLINES:
        path = str(rule["path"])
        rows = _path_rows(sim, path)
        begin = _first_time(sim, rows, str(rule["from_activity"]))
        end = _first_time(sim, rows, str(rule["to_activity"]))
        both = (begin >= 0) & (end >= 0)
        start_day, end_day = to_days(utc_to_local(begin[both])), to_days(utc_to_local(end[both]))
        if rule["unit"] == "working_days":
            breach = working_days_after(start_day, end_day) > int(str(rule["limit"]))
        else:
            breach = end_day > add_months(start_day, int(str(rule["limit"])))
        in_scope = int(both.sum())
        result.append(
            {
                **rule,
                "cases_in_scope": in_scope,
                "breaches": int(breach.sum()),
                "breach_share": float(breach.sum() / in_scope) if in_scope else None,
            }
        )
    return result


# --- pilots ----------------------------------------------------------------------------------

PILOTS: Final = (
    {
        "id": "P1-ONE-STOP-SHOP",
        "name": "One-stop shop for starting entrepreneurs in Joensuu",
        "path": ENTREPRENEUR,
        "group": {"case:municipality": "Joensuu"},
        "start": ONE_STOP_START.isoformat(),
        "outcome_from": "Business-idea counselling",
        "outcome_to": "Start-up grant decision",
        "true_effect_days": -ONE_STOP_EFFECT_DAYS,
        "effect_on": "waiting before the first 'Enterprise agency statement' (and so every later "
        "event) is exactly 21 days shorter for every case in the pilot",
    },
    {
        "id": "P2-GROUP-CAREER-GUIDANCE",
        "name": "Group career guidance at Karelia UAS",
        "path": GRADUATE,
        "group": {"case:education": "bachelor"},
        "start": GROUP_GUIDANCE_START.isoformat(),
        "outcome_from": "Career guidance",
        "outcome_to": "Youth-guarantee offer",
        "true_effect_days": 0,
        "effect_on": "nothing: a null pilot",
    },
)


def _pilots(sim: Simulation) -> list[dict[str, Any]]:
    return [_pilot(sim, pilot) for pilot in PILOTS]


def _uncensored_durations(sim: Simulation, pilot: dict[str, Any]) -> tuple[I64, I64, I64]:
    """Per case of the pilot's path: realised and counterfactual durations (s), -1 if absent."""
    timeline = sim.timelines[str(pilot["path"])]
    n = timeline.outcome.size
    found = {}
    for name in ("outcome_from", "outcome_to"):
        end = np.full(n, -1, dtype=np.int64)
        unshift = np.zeros(n, dtype=np.int64)
        for number, slot in reversed(list(enumerate(timeline.slots))):
            if slot.activity == ACT[str(pilot[name])]:
                end = np.where(slot.mask, slot.end_utc, end)
                shifted = timeline.shift if number >= timeline.shift_from else 0
                unshift = np.where(slot.mask, shifted, unshift)
        found[name] = (end, unshift)
    (begin, begin_shift), (finish, finish_shift) = found["outcome_from"], found["outcome_to"]
    ok = (begin >= 0) & (finish >= 0)
    realised = np.where(ok, finish - begin, -1)
    counterfactual = np.where(ok, (finish + finish_shift) - (begin + begin_shift), -1)
    return realised, counterfactual, ok.astype(np.int64)


def _pilot(sim: Simulation, pilot: dict[str, Any]) -> dict[str, Any]:
    path = str(pilot["path"])
    idx = _path_cases(sim, path)
    pop = sim.cases.population
    attribute, value = next(iter(pilot["group"].items()))
    codes = {
        "case:municipality": (pop.municipality, MUNICIPALITIES),
        "case:education": (pop.education, EDUCATIONS),
    }
    column, names = codes[attribute]
    in_group = column[idx] == names.index(value)
    after = pop.start_day[idx] >= date_days(dt.date.fromisoformat(str(pilot["start"])))
    realised, counterfactual, ok = _uncensored_durations(sim, pilot)
    has = ok.astype(np.bool_)
    treated, comparison = in_group & after & has, ~in_group & after & has
    return {
        **pilot,
        "end": None,
        "comparison_group": "cases of the path not in the group, starting on or after "
        + str(pilot["start"]),
        "cases_in_pilot": int(np.sum(in_group & after)),
        "cases_in_pilot_with_outcome_uncensored": int(treated.sum()),
        "uncensored_median_days_pilot": _median(_days(realised[treated])),
        "uncensored_median_days_pilot_counterfactual": _median(_days(counterfactual[treated])),
        "uncensored_median_days_comparison": _median(_days(realised[comparison])),
        "uncensored_mean_effect_days": _mean_effect(realised[treated], counterfactual[treated]),
    }


def _mean_effect(realised: I64, counterfactual: I64) -> float | None:
    return float(np.mean(_days(realised - counterfactual))) if realised.size else None


# --- ratings ---------------------------------------------------------------------------------


def _value_ratings(sim: Simulation) -> dict[str, dict[str, float]]:
    result: dict[str, dict[str, float]] = {}
    for path in PATHS:
        rows = _path_rows(sim, path)
        rated = rows[sim.rows.rating[rows] > 0]
        activity = sim.rows.activity[rated]
        sums = np.bincount(activity, weights=sim.rows.rating[rated], minlength=len(ACTIVITIES))
        counts = np.bincount(activity, minlength=len(ACTIVITIES))
        result[path] = {
            ACTIVITIES[code]: float(sums[code] / counts[code]) for code in np.flatnonzero(counts)
        }
    return result

"""The process map: directly-follows arcs with frequencies and waiting, activities, start and end.

An arc ``a -> b`` counts each event of ``a`` whose successor in the same case is ``b``. Its
waiting is the successor's start minus the event's completion, floored at 0, where the successor
has a start time; otherwise the gap between the two completions (pm4py's performance DFG).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sujuva.analytics.scope import Scope

#: Waiting after an event, in seconds: integer microsecond arithmetic (no calendar maths).
WAIT_SECONDS = "(epoch_us(greatest(coalesce(next_start_ts, next_ts), ts)) - epoch_us(ts)) / 1e6"


@dataclass(frozen=True)
class ProcessMap:
    """Directly-follows graph of a selection.

    ``arcs``: source, target, frequency (events), cases (distinct cases with the arc at least
    once), wait_mean_s, wait_median_s, wait_p90_s, wait_total_s.
    ``activities``: activity, frequency, cases, starts (cases starting with it), ends (cases
    ending with it), work_mean_s (mean start-to-completion time where start times exist).
    """

    arcs: pd.DataFrame
    activities: pd.DataFrame

    @property
    def start_activities(self) -> dict[str, int]:
        starts = self.activities[self.activities["starts"] > 0]
        return dict(zip(starts["activity"], starts["starts"].astype(int), strict=True))

    @property
    def end_activities(self) -> dict[str, int]:
        ends = self.activities[self.activities["ends"] > 0]
        return dict(zip(ends["activity"], ends["ends"].astype(int), strict=True))


def process_map(scope: Scope) -> ProcessMap:
    """Arcs and activities of the selected cases.

    Frequencies and waiting come from one grouped pass each; the number of distinct cases per
    arc and per activity from a separate pass over (code, case) pairs, which a hash aggregate
    does several times faster than a DISTINCT inside the first pass.
    """
    arcs = scope.frame(f"""
        SELECT activity_code, next_activity_code, count(*) AS frequency,
               avg(w) AS wait_mean_s, median(w) AS wait_median_s,
               quantile_cont(w, 0.9) AS wait_p90_s, sum(w) AS wait_total_s
        FROM (SELECT activity_code, next_activity_code, {WAIT_SECONDS} AS w
              FROM sel_events WHERE next_activity_code IS NOT NULL)
        GROUP BY ALL
    """)
    arc_cases = scope.frame("""
        SELECT activity_code, next_activity_code, count(*) AS cases FROM (
            SELECT DISTINCT activity_code, next_activity_code, case_idx
            FROM sel_events WHERE next_activity_code IS NOT NULL
        ) GROUP BY ALL
    """)
    activities = scope.frame("""
        SELECT activity_code, count(*) AS frequency,
               count(*) FILTER (WHERE pos = 0) AS starts,
               count(*) FILTER (WHERE next_activity_code IS NULL) AS ends,
               avg((epoch_us(ts) - epoch_us(start_ts)) / 1e6) AS work_mean_s
        FROM sel_events GROUP BY activity_code
    """)
    activity_cases = scope.frame("""
        SELECT activity_code, count(*) AS cases
        FROM (SELECT DISTINCT activity_code, case_idx FROM sel_events) GROUP BY activity_code
    """)
    names: dict[object, object] = {
        code: name for code, name in scope.rows("SELECT code, name FROM activities")
    }
    return ProcessMap(
        arcs=_named_arcs(arcs.merge(arc_cases, on=["activity_code", "next_activity_code"]), names),
        activities=_named_activities(activities.merge(activity_cases, on="activity_code"), names),
    )


def _named_arcs(arcs: pd.DataFrame, names: dict[object, object]) -> pd.DataFrame:
    arcs.insert(0, "source", arcs.pop("activity_code").map(names))
    arcs.insert(1, "target", arcs.pop("next_activity_code").map(names))
    arcs.insert(3, "cases", arcs.pop("cases"))
    ordered = arcs.sort_values(["frequency", "source", "target"], ascending=[False, True, True])
    return ordered.reset_index(drop=True)


def _named_activities(activities: pd.DataFrame, names: dict[object, object]) -> pd.DataFrame:
    activities.insert(0, "activity", activities.pop("activity_code").map(names))
    activities.insert(2, "cases", activities.pop("cases"))
    ordered = activities.sort_values(["frequency", "activity"], ascending=[False, True])
    return ordered.reset_index(drop=True)

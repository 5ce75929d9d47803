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
    """Arcs and activities of the selected cases, each in one grouped pass over the events."""
    arcs = scope.frame(f"""
        SELECT s.name AS source, t.name AS target, count(*) AS frequency,
               count(DISTINCT e.case_idx) AS cases,
               avg(w) AS wait_mean_s, median(w) AS wait_median_s,
               quantile_cont(w, 0.9) AS wait_p90_s, sum(w) AS wait_total_s
        FROM (SELECT activity_code, next_activity_code, case_idx, {WAIT_SECONDS} AS w
              FROM sel_events WHERE next_activity_code IS NOT NULL) e
        JOIN activities s ON s.code = e.activity_code
        JOIN activities t ON t.code = e.next_activity_code
        GROUP BY s.name, t.name
        ORDER BY frequency DESC, source, target
    """)
    activities = scope.frame("""
        SELECT a.name AS activity, count(*) AS frequency, count(DISTINCT e.case_idx) AS cases,
               count(*) FILTER (WHERE e.pos = 0) AS starts,
               count(*) FILTER (WHERE e.next_activity_code IS NULL) AS ends,
               avg((epoch_us(e.ts) - epoch_us(e.start_ts)) / 1e6) AS work_mean_s
        FROM sel_events e JOIN activities a ON a.code = e.activity_code
        GROUP BY a.name
        ORDER BY frequency DESC, activity
    """)
    return ProcessMap(arcs=arcs, activities=activities)

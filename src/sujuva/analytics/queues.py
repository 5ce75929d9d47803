"""Work in progress over time, the queue before a transition, and a Little's law check.

Counts are taken at the end of each local day with a running sum over +1/-1 changes, so the
cost is one pass over cases (or transitions), not one per day.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sujuva.analytics.scope import Scope


@dataclass(frozen=True)
class LittlesLaw:
    """L = lambda x W over the observed window (days).

    ``mean_wip`` is L observed; ``arrival_rate`` lambda (cases started per day);
    ``mean_lead_time_days`` W of the cases closed within the window; ``predicted_wip``
    lambda x W; ``ratio`` observed / predicted (near 1 in a stable process; well above 1 when
    open cases are slower than closed ones, as they usually are).
    """

    days: int
    mean_wip: float
    arrival_rate: float
    mean_lead_time_days: float
    predicted_wip: float
    ratio: float


def daily_wip(scope: Scope, *, zone: str) -> pd.DataFrame:
    """Per local day: day, started, ended, wip (cases started and not yet ended at day's end)."""
    spans = f"""
        SELECT (coalesce(e.start_ts, e.ts) AT TIME ZONE '{zone}')::DATE AS in_day,
               CASE WHEN c.outcome IS NOT NULL
                    THEN (c.last_ts AT TIME ZONE '{zone}')::DATE END AS out_day
        FROM sel_cases c JOIN events e ON e.case_idx = c.case_idx AND e.pos = 0
    """
    return _daily_balance(scope, spans, [], names=("started", "ended", "wip"))


def transition_queue(scope: Scope, *, source: str, target: str, zone: str) -> pd.DataFrame:
    """Per local day: day, entered, left, queue — cases that finished ``source`` and are
    waiting for ``target`` to start (the queue in front of a bottleneck)."""
    waits = f"""
        SELECT (e.ts AT TIME ZONE '{zone}')::DATE AS in_day,
               (coalesce(e.next_start_ts, e.next_ts) AT TIME ZONE '{zone}')::DATE AS out_day
        FROM sel_events e
        WHERE e.activity_code = (SELECT code FROM activities WHERE name = ?)
          AND e.next_activity_code = (SELECT code FROM activities WHERE name = ?)
    """
    return _daily_balance(scope, waits, [source, target], names=("entered", "left", "queue"))


def _daily_balance(
    scope: Scope, intervals: str, params: list[object], *, names: tuple[str, str, str]
) -> pd.DataFrame:
    """Count, for every day between the first and the last change, what came in, what went
    out and what is inside at the day's end, from intervals (``in_day``, ``out_day``; a null
    ``out_day`` is still inside)."""
    came, went, inside = (f'"{name}"' for name in names)
    return scope.frame(
        f"""
        WITH intervals AS ({intervals}),
        changes AS (
            SELECT in_day AS day, 1 AS came, 0 AS went FROM intervals
            UNION ALL SELECT out_day, 0, 1 FROM intervals WHERE out_day IS NOT NULL
        ),
        per_day AS (
            SELECT day, sum(came)::BIGINT AS came, sum(went)::BIGINT AS went
            FROM changes GROUP BY day
        ),
        days AS (
            SELECT unnest(generate_series(min(day), max(day), INTERVAL 1 DAY))::DATE AS day
            FROM per_day
        )
        SELECT d.day, coalesce(p.came, 0) AS {came}, coalesce(p.went, 0) AS {went},
               (sum(coalesce(p.came, 0) - coalesce(p.went, 0)) OVER (ORDER BY d.day))::BIGINT
                   AS {inside}
        FROM days d LEFT JOIN per_day p ON p.day = d.day ORDER BY d.day
        """,
        params,
    )


def littles_law(wip: pd.DataFrame, lead_days_closed: pd.Series) -> LittlesLaw | None:
    """Compare observed mean WIP with arrival rate x mean lead time over the WIP window."""
    if wip.empty or lead_days_closed.empty:
        return None
    days = len(wip)
    mean_wip = float(wip["wip"].mean())
    arrival = float(wip["started"].sum()) / days
    mean_lead = float(lead_days_closed.mean())
    predicted = arrival * mean_lead
    return LittlesLaw(
        days,
        mean_wip,
        arrival,
        mean_lead,
        predicted,
        mean_wip / predicted if predicted else float("nan"),
    )

"""Time to an outcome step: the per-case data a pilot evaluation rests on.

The clock starts at a case's first completion of the *from* step and stops at its first
completion of the *to* step after that. A case closed without reaching the *to* step ended
with another outcome (a competing outcome, or censored there when that outcome is not named as
competing); a case still open is censored at the data cut. Cases that never took the *from*
step are not on the clock at all.
"""

from __future__ import annotations

import pandas as pd

from sujuva.analytics.cases import HANDOFF
from sujuva.analytics.flow import WAIT_SECONDS
from sujuva.analytics.scope import Scope

DAY_US = 86_400e6


def outcome_times(
    scope: Scope,
    *,
    from_activity: str,
    to_activity: str,
    covariates: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One row per selected case that took the *from* step.

    Columns: case_id, start (the clock's start), reached (the *to* step's completion or
    NaT), closed_at (last event of a closed case or NaT), outcome (the case's recorded
    outcome), days (to the outcome, the closing or the data cut, the cut being the store's last
    event), plus the requested case-attribute columns.
    """
    extra = "".join(f', c."{name}"' for name in covariates)
    return scope.frame(
        f"""
        WITH codes AS (
            SELECT (SELECT code FROM activities WHERE name = ?) AS a,
                   (SELECT code FROM activities WHERE name = ?) AS b
        ),
        clock AS (
            SELECT e.case_idx, min(e.ts) AS start
            FROM sel_events e, codes WHERE e.activity_code = codes.a GROUP BY e.case_idx
        ),
        reached AS (
            SELECT e.case_idx, min(e.ts) AS reached
            FROM sel_events e JOIN clock k USING (case_idx), codes
            WHERE e.activity_code = codes.b AND e.ts >= k.start GROUP BY e.case_idx
        ),
        cut AS (SELECT max(last_ts) AS at FROM cases)
        SELECT c.case_id, k.start, r.reached,
               CASE WHEN c.outcome IS NOT NULL THEN c.last_ts END AS closed_at,
               c.outcome,
               (epoch_us(coalesce(r.reached,
                    CASE WHEN c.outcome IS NOT NULL THEN c.last_ts END, cut.at))
                - epoch_us(k.start)) / {DAY_US} AS days
               {extra}
        FROM sel_cases c JOIN clock k USING (case_idx)
        LEFT JOIN reached r USING (case_idx), cut
        ORDER BY c.case_idx
        """,
        [from_activity, to_activity],
    )


def activity_names(scope: Scope) -> list[str]:
    """The steps that occur in the selection, most frequent first."""
    rows = scope.rows(
        "SELECT a.name FROM sel_events e JOIN activities a ON a.code = e.activity_code "
        "GROUP BY a.name ORDER BY count(*) DESC, a.name"
    )
    return [str(row[0]) for row in rows]


def case_measures(scope: Scope) -> pd.DataFrame:
    """Per selected case: case_id, handoffs (between organisations), waiting_days (all waiting
    between steps) and mean_rating (customers' ratings of its steps, where the log has them)."""
    rating = "avg(TRY_CAST(rating AS DOUBLE))" if _has_column(scope, "rating") else "NULL"
    return scope.frame(
        f"""
        SELECT c.case_id,
               count(*) FILTER (WHERE {HANDOFF}) AS handoffs,
               coalesce(sum({WAIT_SECONDS}) FILTER (WHERE next_activity_code IS NOT NULL), 0)
                   / 86400 AS waiting_days,
               {rating} AS mean_rating
        FROM sel_cases c JOIN sel_events e USING (case_idx)
        GROUP BY c.case_idx, c.case_id ORDER BY c.case_idx
        """
    )


def _has_column(scope: Scope, name: str) -> bool:
    return any(row[0] == name for row in scope.rows("SELECT name FROM pragma_table_info('events')"))

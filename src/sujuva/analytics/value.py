"""What customers say a step is worth, where the waste is, and information asked twice.

Uses the step catalogue stored with the data (``catalogue``: path, activity, value_class
(value_adding / necessary / waste), gathers_info) where there is one, and the event attribute
``rating`` (1–5) and, if present, ``nps`` (0–10, recommend).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sujuva.analytics.flow import WAIT_SECONDS
from sujuva.analytics.scope import Scope

LOW_RATING = 2


def has_table(scope: Scope, name: str) -> bool:
    return bool(
        scope.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary", [name]
        ).fetchall()[0][0]
    )


def has_column(scope: Scope, table: str, column: str) -> bool:
    return column in {row[0] for row in scope.con.execute(f"DESCRIBE {table}").fetchall()}


def _catalogue(scope: Scope) -> str:
    """SQL for (path, activity, value_class, gathers_info), empty without a catalogue."""
    if has_table(scope, "catalogue"):
        return (
            "SELECT path, activity, value_class, CAST(gathers_info AS BOOLEAN) AS gathers_info "
            "FROM catalogue"
        )
    return (
        "SELECT NULL::VARCHAR AS path, NULL::VARCHAR AS activity, NULL::VARCHAR AS value_class, "
        "NULL::BOOLEAN AS gathers_info WHERE false"
    )


def value_ratings(scope: Scope) -> pd.DataFrame:
    """Per path and step: value_class, events, ratings, mean_rating, low_share (rated 1–2),
    nps (promoters 9–10 minus detractors 0–6, where an ``nps`` attribute exists), wait_median_s
    (waiting before the step), wait_total_s."""
    rating = "e.rating" if has_column(scope, "events", "rating") else "NULL::DOUBLE"
    nps = "e.nps" if has_column(scope, "events", "nps") else "NULL::DOUBLE"
    return scope.frame(f"""
        WITH waits AS (
            SELECT case_idx, next_activity_code AS activity_code, {WAIT_SECONDS} AS w
            FROM sel_events WHERE next_activity_code IS NOT NULL
        ),
        step_waits AS (
            SELECT activity_code, median(w) AS wait_median_s, sum(w) AS wait_total_s
            FROM waits GROUP BY activity_code
        ),
        cat AS ({_catalogue(scope)})
        SELECT p.name AS path, a.name AS activity, any_value(cat.value_class) AS value_class,
               count(*) AS events, count({rating}) AS ratings, avg({rating}) AS mean_rating,
               count(*) FILTER (WHERE {rating} <= {LOW_RATING})
                   / nullif(count({rating}), 0) AS low_share,
               100 * (count(*) FILTER (WHERE {nps} >= 9) - count(*) FILTER (WHERE {nps} <= 6))
                   / nullif(count({nps}), 0) AS nps,
               any_value(w.wait_median_s) AS wait_median_s,
               any_value(w.wait_total_s) AS wait_total_s
        FROM sel_events e
        JOIN activities a ON a.code = e.activity_code JOIN paths p ON p.code = e.path_code
        LEFT JOIN step_waits w ON w.activity_code = e.activity_code
        LEFT JOIN cat ON cat.path = p.name AND cat.activity = a.name
        GROUP BY p.name, a.name ORDER BY p.name, mean_rating NULLS LAST
    """)


def waste_candidates(scope: Scope) -> pd.DataFrame:
    """Steps customers value little (classed as waste in the catalogue, or rated below 3 on
    average), ranked by the waiting they come with (volume x wait before the step).
    Columns as :func:`value_ratings` plus ``reason``; most total waiting first."""
    steps = value_ratings(scope)
    if steps.empty:
        return steps.assign(reason=pd.Series(dtype=str))
    low_value = (steps["value_class"] == "waste") | (steps["mean_rating"] < 3)
    chosen = steps[low_value].copy()
    chosen["reason"] = [
        ("classed as waste" if cls == "waste" else f"rated {rating:.1f} of 5")
        + f"; customers wait a median {wait / 86_400:.0f} days for it"
        for cls, rating, wait in zip(
            chosen["value_class"],
            chosen["mean_rating"].fillna(0),
            chosen["wait_median_s"].fillna(0),
            strict=True,
        )
    ]
    return chosen.sort_values("wait_total_s", ascending=False).reset_index(drop=True)


@dataclass(frozen=True)
class DuplicateContacts:
    """Information asked again by another organisation.

    ``pairs``: path, first_activity, first_actor, second_activity, second_actor, cases, share
    (of the path's selected cases) — two steps that gather the customer's information, by
    different organisations, in the same case.
    """

    pairs: pd.DataFrame


def duplicate_contacts(scope: Scope) -> DuplicateContacts:
    """Pairs of information-gathering steps by different organisations within one case."""
    pairs = scope.frame(f"""
        WITH cat AS ({_catalogue(scope)}),
        gathering AS (
            SELECT DISTINCT e.case_idx, e.path_code, a.name AS activity, o.name AS actor,
                   min(e.pos) OVER (PARTITION BY e.case_idx, e.activity_code, e.actor_code) AS pos
            FROM sel_events e
            JOIN activities a ON a.code = e.activity_code JOIN actors o ON o.code = e.actor_code
            JOIN paths p ON p.code = e.path_code
            JOIN cat ON cat.path = p.name AND cat.activity = a.name AND cat.gathers_info
        ),
        path_cases AS (SELECT path_code, count(*) AS n FROM sel_cases GROUP BY path_code)
        SELECT p.name AS path, f.activity AS first_activity, f.actor AS first_actor,
               s.activity AS second_activity, s.actor AS second_actor,
               count(DISTINCT f.case_idx) AS cases,
               count(DISTINCT f.case_idx) / any_value(pc.n) AS share
        FROM gathering f JOIN gathering s
          ON s.case_idx = f.case_idx AND s.pos > f.pos AND s.actor <> f.actor
        JOIN paths p ON p.code = f.path_code JOIN path_cases pc ON pc.path_code = f.path_code
        GROUP BY ALL ORDER BY cases DESC, path, first_activity, second_activity
    """)
    return DuplicateContacts(pairs)


def process_cycle_efficiency(scope: Scope) -> float | None:
    """Value-adding touch time (start to completion of steps the catalogue classes as
    value-adding) over total lead time, for the selection's closed cases; None without a
    catalogue or start times."""
    row = scope.rows(f"""
        WITH cat AS ({_catalogue(scope)}),
        touch AS (
            SELECT e.case_idx, sum(epoch_us(e.ts) - epoch_us(e.start_ts)) / 1e6 AS value_s
            FROM sel_events e JOIN activities a ON a.code = e.activity_code
            JOIN paths p ON p.code = e.path_code
            JOIN cat ON cat.path = p.name AND cat.activity = a.name
                AND cat.value_class = 'value_adding'
            WHERE e.start_ts IS NOT NULL GROUP BY e.case_idx
        ),
        lead AS (
            SELECT c.case_idx,
                   (epoch_us(c.last_ts) - epoch_us(coalesce(e.start_ts, e.ts))) / 1e6 AS lead_s
            FROM sel_cases c JOIN sel_events e ON e.case_idx = c.case_idx AND e.pos = 0
            WHERE c.outcome IS NOT NULL
        )
        SELECT sum(coalesce(t.value_s, 0)), sum(l.lead_s), count(t.case_idx)
        FROM lead l LEFT JOIN touch t ON t.case_idx = l.case_idx
    """)[0]
    value, lead, with_touch = row
    if not lead or not with_touch:
        return None
    return float(value) / float(lead)  # type: ignore[arg-type]

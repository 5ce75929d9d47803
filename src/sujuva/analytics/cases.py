"""Case-level measures: durations, variants, and organisation hand-offs."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sujuva.analytics.flow import WAIT_SECONDS
from sujuva.analytics.scope import Scope


def case_durations(scope: Scope) -> pd.DataFrame:
    """One row per selected case: case_id, path, first, last, duration_s (last completion minus
    first completion, as pm4py), events, outcome (null for an open case)."""
    return scope.frame("""
        SELECT c.case_id, p.name AS path, c.first_ts AS first, c.last_ts AS last,
               (epoch_us(c.last_ts) - epoch_us(c.first_ts)) / 1e6 AS duration_s,
               c.n_events AS events, c.outcome
        FROM sel_cases c JOIN paths p ON p.code = c.path_code
        ORDER BY c.case_idx
    """)


@dataclass(frozen=True)
class Variants:
    """Distinct activity sequences.

    ``table``: variant (tuple of activity names), cases, share, events (per case),
    duration_median_s, duration_mean_s; most frequent first.
    """

    table: pd.DataFrame


def variants(scope: Scope, *, top: int | None = None) -> Variants:
    """Variants in one pass: each case's sequence gets an order-aware fingerprint (the 64-bit
    XOR of the hashes of one integer per event that packs its position and activity, so that
    swapped steps hash apart; positions are unique in a case, so nothing cancels and no per-case
    sort is needed; with the event count as a second key, two variants share a fingerprint with
    odds of about v²/2⁶⁵ for v variants); the event count and duration come from the case table
    (first and last completion, materialised at import); cases are grouped by fingerprint and
    event count, and one representative case per variant is decoded."""
    limit = f"LIMIT {int(top)}" if top else ""
    rows = scope.frame(f"""
        WITH fingerprints AS (
            SELECT case_idx,
                   bit_xor(hash(pos::BIGINT * 4294967296 + activity_code)) AS fp
            FROM sel_events GROUP BY case_idx
        )
        SELECT count(*) AS cases, any_value(c.n_events) AS events, min(case_idx) AS example,
               median(d) AS duration_median_s, avg(d) AS duration_mean_s,
               sum(count(*)) OVER () AS total
        FROM fingerprints f
        JOIN (SELECT case_idx, n_events,
                     (epoch_us(last_ts) - epoch_us(first_ts)) / 1e6 AS d FROM sel_cases) c
          USING (case_idx)
        GROUP BY c.n_events, fp
        ORDER BY cases DESC, example {limit}
    """)
    total = float(rows["total"].iloc[0]) if len(rows) else 0.0
    rows["variant"] = rows["example"].map(_sequences(scope, [int(x) for x in rows["example"]]))
    rows["share"] = rows["cases"] / total if total else 0.0
    columns = ["variant", "cases", "share", "events", "duration_median_s", "duration_mean_s"]
    return Variants(rows[columns].reset_index(drop=True))


def _sequences(scope: Scope, examples: list[int]) -> dict[int, tuple[str, ...]]:
    """The activity sequence of each example case (a literal list lets the scan skip ahead
    through the case-ordered events)."""
    if not examples:
        return {}
    listed = ", ".join(str(case) for case in examples)
    found = scope.con.execute(
        "SELECT e.case_idx, list(a.name ORDER BY e.pos) FROM events e "
        "JOIN activities a ON a.code = e.activity_code "
        f"WHERE e.case_idx IN ({listed}) GROUP BY e.case_idx"
    ).fetchall()
    return {int(case): tuple(names) for case, names in found}


@dataclass(frozen=True)
class Handoffs:
    """Hand-offs between organisations: consecutive steps of a case by different actors.

    ``matrix``: from_actor, to_actor, handoffs, cases, wait_median_s, wait_total_s.
    ``distribution``: handoffs (per case), cases — how many cases were handed on how often.
    ``per_case_mean``: mean hand-offs per selected case.
    ``boundary_share``: share of all waiting that happens at organisation boundaries.
    """

    matrix: pd.DataFrame
    distribution: pd.DataFrame
    per_case_mean: float | None
    boundary_share: float | None


HANDOFF = "next_actor_code IS NOT NULL AND next_actor_code <> actor_code"


def handoffs(scope: Scope) -> Handoffs:
    """The organisation-to-organisation hand-off matrix, hand-offs per case and boundary time."""
    matrix = scope.frame(f"""
        SELECT f.name AS from_actor, t.name AS to_actor, count(*) AS handoffs,
               count(DISTINCT e.case_idx) AS cases, median(w) AS wait_median_s,
               sum(w) AS wait_total_s
        FROM (SELECT case_idx, actor_code, next_actor_code, {WAIT_SECONDS} AS w
              FROM sel_events WHERE {HANDOFF}) e
        JOIN actors f ON f.code = e.actor_code JOIN actors t ON t.code = e.next_actor_code
        GROUP BY f.name, t.name
        ORDER BY handoffs DESC, from_actor, to_actor
    """)
    distribution = scope.frame(f"""
        WITH per_case AS (
            SELECT c.case_idx, count(e.case_idx) AS handoffs
            FROM sel_cases c LEFT JOIN (SELECT case_idx FROM sel_events WHERE {HANDOFF}) e
              ON e.case_idx = c.case_idx
            GROUP BY c.case_idx
        )
        SELECT handoffs, count(*) AS cases FROM per_case GROUP BY handoffs ORDER BY handoffs
    """)
    boundary, total = scope.rows(f"""
        SELECT sum(w) FILTER (WHERE next_actor_code <> actor_code), sum(w)
        FROM (SELECT actor_code, next_actor_code, {WAIT_SECONDS} AS w
              FROM sel_events WHERE next_activity_code IS NOT NULL)
    """)[0]
    share = float(boundary or 0.0) / float(total) if total else None  # type: ignore[arg-type]
    cases = int(distribution["cases"].sum())
    mean = (
        float((distribution["handoffs"] * distribution["cases"]).sum()) / cases if cases else None
    )
    return Handoffs(
        matrix=matrix, distribution=distribution, per_case_mean=mean, boundary_share=share
    )


def handoffs_per_case(scope: Scope) -> pd.DataFrame:
    """Hand-offs of each selected case: case_id, handoffs (a long list for large selections)."""
    return scope.frame(f"""
        SELECT c.case_id, count(e.case_idx) AS handoffs
        FROM sel_cases c LEFT JOIN (SELECT case_idx FROM sel_events WHERE {HANDOFF}) e
          ON e.case_idx = c.case_idx
        GROUP BY c.case_idx, c.case_id ORDER BY c.case_idx
    """)

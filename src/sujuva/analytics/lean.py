"""Lean measures of a path: censored lead time, where the waiting is, and rework.

Lead time runs from the case's first instant (its first step's start, or completion when no
start is recorded) to its last event. A case without an outcome is open: its lead time is
right-censored at the data cut, and the Kaplan–Meier estimate (lifelines) uses it as such. The
median of closed cases only is reported beside it, because it is biased low: open cases are the
slow ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from lifelines import KaplanMeierFitter

from sujuva.analytics.flow import WAIT_SECONDS
from sujuva.analytics.scope import Scope

DAY = 86_400.0


@dataclass(frozen=True)
class LeadTime:
    """Lead time of the selected cases, in days.

    ``km_median_days`` / ``km_p90_days`` are None where the survival curve never falls to 0.5 /
    0.1 (too many cases still open). ``curve``: days, still_open (survival), lower, upper
    (95 % confidence band).
    """

    cases: int
    closed: int
    open: int
    data_cut: datetime | None
    km_median_days: float | None
    km_p90_days: float | None
    naive_median_days: float | None
    naive_p90_days: float | None
    curve: pd.DataFrame


def _cut(data_cut: datetime | None) -> tuple[str, list[object]]:
    if data_cut is None:
        return "(SELECT max(last_ts) FROM cases)", []
    return "?::TIMESTAMPTZ", [data_cut]


def lead_times(scope: Scope, *, data_cut: datetime | None = None) -> pd.DataFrame:
    """Per case: case_id, days (from its earliest instant to the outcome, or to the data cut
    when open; default cut: the last event in the store), closed."""
    cut, params = _cut(data_cut)
    return scope.frame(
        f"""
        SELECT case_id, outcome IS NOT NULL AS closed,
               (epoch_us(CASE WHEN outcome IS NOT NULL THEN last_ts ELSE {cut} END)
                - epoch_us(start_ts)) / 1e6 / {DAY} AS days
        FROM sel_cases ORDER BY case_idx
        """,
        params,
    )


def lead_time(scope: Scope, *, data_cut: datetime | None = None) -> LeadTime:
    """Kaplan–Meier lead time with open cases censored, beside the closed-only figures.

    The estimator (lifelines) gets lead times to the hour, with weights, so a million cases
    cost a few thousand rows; the closed-only median and p90 use the exact times.
    """
    cut, params = _cut(data_cut)
    end = f"CASE WHEN closed THEN last_ts ELSE {cut} END"
    days = f"greatest((epoch_us({end}) - epoch_us(start_ts)) / 1e6 / {DAY}, 0)"
    source = "(SELECT *, outcome IS NOT NULL AS closed FROM sel_cases)"
    grouped = scope.frame(
        f"SELECT round({days} * 24) / 24 AS days, closed, count(*) AS n FROM {source} GROUP BY ALL",
        params,
    )
    naive = scope.rows(
        f"SELECT median({days}) FILTER (WHERE closed), "
        f"quantile_cont({days}, 0.9) FILTER (WHERE closed) FROM {source}",
        params + params,
    )[0]
    total = int(grouped["n"].sum())
    closed = int(grouped.loc[grouped["closed"], "n"].sum())
    if total == 0:
        empty = pd.DataFrame(columns=["days", "still_open", "lower", "upper"])
        return LeadTime(0, 0, 0, data_cut, None, None, None, None, empty)
    fitter = KaplanMeierFitter().fit(
        grouped["days"].to_numpy(dtype=float),
        event_observed=grouped["closed"].to_numpy(dtype=bool),
        weights=grouped["n"].to_numpy(dtype=float),
    )
    band = fitter.confidence_interval_survival_function_
    curve = pd.DataFrame(
        {
            "days": fitter.survival_function_.index.to_numpy(),
            "still_open": fitter.survival_function_.iloc[:, 0].to_numpy(),
            "lower": band.iloc[:, 0].to_numpy(),
            "upper": band.iloc[:, 1].to_numpy(),
        }
    )
    return LeadTime(
        cases=total,
        closed=closed,
        open=total - closed,
        data_cut=data_cut,
        km_median_days=_time_at(curve, 0.5),
        km_p90_days=_time_at(curve, 0.1),
        naive_median_days=None if naive[0] is None else float(naive[0]),  # type: ignore[arg-type]
        naive_p90_days=None if naive[1] is None else float(naive[1]),  # type: ignore[arg-type]
        curve=curve,
    )


def _time_at(curve: pd.DataFrame, level: float) -> float | None:
    """First time at which the share still open falls to ``level`` or below (lifelines'
    convention for the median); None if it never does."""
    reached = curve.loc[curve["still_open"] <= level, "days"]
    return float(reached.iloc[0]) if len(reached) else None


@dataclass(frozen=True)
class Bottlenecks:
    """Where the selected cases wait, ranked by share of all waiting (volume x wait).

    ``transitions``: source, target, transitions, wait_median_s, wait_total_s, share.
    ``steps``: activity (the step waited for), arrivals, wait_median_s, wait_total_s, share.
    ``explanation``: one sentence about the first transition, or None without waiting.
    """

    transitions: pd.DataFrame
    steps: pd.DataFrame
    explanation: str | None


def bottlenecks(scope: Scope) -> Bottlenecks:
    """Rank transitions and steps by their share of the selection's total waiting."""
    transitions = scope.frame(f"""
        SELECT s.name AS source, t.name AS target, count(*) AS transitions,
               median(w) AS wait_median_s, sum(w) AS wait_total_s,
               sum(w) / sum(sum(w)) OVER () AS share
        FROM (SELECT activity_code, next_activity_code, {WAIT_SECONDS} AS w
              FROM sel_events WHERE next_activity_code IS NOT NULL) e
        JOIN activities s ON s.code = e.activity_code
        JOIN activities t ON t.code = e.next_activity_code
        GROUP BY s.name, t.name ORDER BY share DESC NULLS LAST, transitions DESC
    """)
    steps = scope.frame(f"""
        SELECT t.name AS activity, count(*) AS arrivals, median(w) AS wait_median_s,
               sum(w) AS wait_total_s, sum(w) / sum(sum(w)) OVER () AS share
        FROM (SELECT next_activity_code, {WAIT_SECONDS} AS w
              FROM sel_events WHERE next_activity_code IS NOT NULL) e
        JOIN activities t ON t.code = e.next_activity_code
        GROUP BY t.name ORDER BY share DESC NULLS LAST, arrivals DESC
    """)
    return Bottlenecks(transitions, steps, _explain(transitions))


def _explain(transitions: pd.DataFrame) -> str | None:
    if transitions.empty or not transitions["wait_total_s"].iloc[0]:
        return None
    first = transitions.iloc[0]
    days = first["wait_median_s"] / DAY
    return (
        f"Customers wait a median {days:.0f} days between {first['source']} and "
        f"{first['target']}: {first['share']:.0%} of all waiting in this selection."
    )


@dataclass(frozen=True)
class Rework:
    """Repeated work.

    ``steps``: activity, cases (with the step at least once), rework_cases (at least twice),
    rework_share, complete_and_accurate (1 - rework_share, the step's %C&A).
    ``rolled_complete_and_accurate``: product of the steps' %C&A.
    ``first_time_through``: share of cases in which no step is repeated.
    """

    steps: pd.DataFrame
    rolled_complete_and_accurate: float | None
    first_time_through: float | None


def rework(scope: Scope) -> Rework:
    """Steps done more than once in a case, per step and for the whole selection."""
    steps = scope.frame("""
        WITH per_case AS MATERIALIZED (
            SELECT case_idx, activity_code, count(*) AS n FROM sel_events GROUP BY ALL
        ),
        repeated AS (SELECT count(DISTINCT case_idx) AS cases FROM per_case WHERE n > 1)
        SELECT a.name AS activity, count(*) AS cases, count(*) FILTER (WHERE n > 1) AS rework_cases,
               count(*) FILTER (WHERE n > 1) / count(*) AS rework_share,
               1 - count(*) FILTER (WHERE n > 1) / count(*) AS complete_and_accurate,
               any_value((SELECT cases FROM repeated)) AS cases_with_repeats
        FROM per_case p JOIN activities a ON a.code = p.activity_code
        GROUP BY a.name ORDER BY rework_share DESC, cases DESC
    """)
    total = int(scope.rows("SELECT count(*) FROM sel_cases")[0][0])  # type: ignore[call-overload]
    repeated = int(steps["cases_with_repeats"].iloc[0]) if len(steps) else 0
    steps = steps.drop(columns=["cases_with_repeats"])
    clean = total - repeated
    rolled = float(np.prod(steps["complete_and_accurate"])) if len(steps) else None
    ftt = float(clean) / float(total) if total else None
    return Rework(steps=steps, rolled_complete_and_accurate=rolled, first_time_through=ftt)


@dataclass(frozen=True)
class LeanSummary:
    """The headline lean measures of one selection, computed together."""

    lead_time: LeadTime
    bottlenecks: Bottlenecks
    rework: Rework
    handoffs_per_case: float | None
    boundary_share: float | None
    process_cycle_efficiency: float | None


def lean_summary(scope: Scope, *, data_cut: datetime | None = None) -> LeanSummary:
    """Lead time, bottlenecks, rework, hand-offs and process cycle efficiency in one call."""
    from sujuva.analytics import cases, value

    hand = cases.handoffs(scope)
    return LeanSummary(
        lead_time=lead_time(scope, data_cut=data_cut),
        bottlenecks=bottlenecks(scope),
        rework=rework(scope),
        handoffs_per_case=hand.per_case_mean,
        boundary_share=hand.boundary_share,
        process_cycle_efficiency=value.process_cycle_efficiency(scope),
    )

"""Two selections side by side (two periods, two groups) with their differences.

Only descriptive differences are here; whether a difference is more than chance is the pilot
evaluation's job (Kaplan–Meier confidence bands, log-rank test, Cox model).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from sujuva.analytics import cases, flow, lean
from sujuva.analytics.scope import Scope


@dataclass(frozen=True)
class Comparison:
    """``measures``: measure, a, b, difference (b - a); times in days, shares as fractions.
    ``arcs``: source, target, frequency_a, frequency_b, wait_median_days_a, wait_median_days_b,
    change (appeared / disappeared / slower / faster / same)."""

    measures: pd.DataFrame
    arcs: pd.DataFrame


def summary(scope: Scope, *, data_cut: datetime | None = None) -> dict[str, float | None]:
    """The headline lean figures of one selection (the rows of a comparison)."""
    lead = lean.lead_time(scope, data_cut=data_cut)
    hand = cases.handoffs(scope)
    again = lean.rework(scope)
    events = int(scope.rows("SELECT count(*) FROM sel_events")[0][0])  # type: ignore[call-overload]
    return {
        "cases": float(lead.cases),
        "open cases": float(lead.open),
        "events per case": events / lead.cases if lead.cases else None,
        "lead time median, days (Kaplan-Meier)": lead.km_median_days,
        "lead time median, days (closed only)": lead.naive_median_days,
        "lead time p90, days (Kaplan-Meier)": lead.km_p90_days,
        "hand-offs per case": hand.per_case_mean,
        "share of waiting at organisation boundaries": hand.boundary_share,
        "first time through": again.first_time_through,
    }


def compare(a: Scope, b: Scope, *, data_cut: datetime | None = None) -> Comparison:
    """The same measures for selections ``a`` and ``b`` and the arc-level map difference."""
    left, right = summary(a, data_cut=data_cut), summary(b, data_cut=data_cut)
    measures = pd.DataFrame(
        {
            "measure": list(left),
            "a": list(left.values()),
            "b": [right[k] for k in left],
        }
    )
    measures["difference"] = measures["b"].astype(float) - measures["a"].astype(float)
    return Comparison(
        measures=measures, arcs=_arc_changes(flow.process_map(a), flow.process_map(b))
    )


def _arc_changes(a: flow.ProcessMap, b: flow.ProcessMap) -> pd.DataFrame:
    keep = ["source", "target", "frequency", "wait_median_s"]
    merged = a.arcs[keep].merge(
        b.arcs[keep], on=["source", "target"], how="outer", suffixes=("_a", "_b")
    )
    for side in ("a", "b"):
        merged[f"frequency_{side}"] = merged[f"frequency_{side}"].fillna(0).astype(int)
        merged[f"wait_median_days_{side}"] = merged.pop(f"wait_median_s_{side}") / 86_400
    ratio = merged["wait_median_days_b"] / merged["wait_median_days_a"].replace(0, np.nan)
    merged["change"] = np.select(
        [merged["frequency_a"] == 0, merged["frequency_b"] == 0, ratio > 1.1, ratio < 1 / 1.1],
        ["appeared", "disappeared", "slower", "faster"],
        default="same",
    )
    return merged.sort_values(["frequency_b", "frequency_a"], ascending=False).reset_index(
        drop=True
    )

"""Difference-in-differences: did the pilot group change more than the comparison group?

A pilot group that was already faster before the pilot looks like a success in a post-only
comparison; the DiD asks whether the gap *changed*. It needs both groups in both periods (each
cell at least :data:`MIN_CELL` cases with some outcomes), and it is only as good as the parallel
trends assumption, which the pre-period check looks at.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from lifelines.utils import median_survival_times

from sujuva.stats import cox
from sujuva.stats.results import DidResult, Estimate
from sujuva.stats.survival import difference, fit_km, replicate_stats, resample_counts

MIN_CELL = 10
CELLS = (("pilot", "post"), ("comparison", "post"), ("pilot", "pre"), ("comparison", "pre"))


def why_not(frame: pd.DataFrame) -> str | None:
    """The reason no DiD can be computed, or None when it can."""
    for group, period in CELLS:
        cell = frame[(frame["group"] == group) & (frame["period"] == period)]
        if len(cell) < MIN_CELL:
            return (
                f"no difference-in-differences: the {group} group has {len(cell)} case(s) in "
                f"the {period} period (at least {MIN_CELL} needed)"
            )
        if not cell["primary"].any():
            return (
                f"no difference-in-differences: no {group} case in the {period} period "
                "reached the outcome"
            )
    return None


def difference_in_differences(
    frame: pd.DataFrame,
    covariates: Sequence[str],
    *,
    alpha: float,
    bootstrap: int,
    seed: int,
) -> DidResult:
    """Interaction hazard ratio, median DiD in days, pre-period medians and trend check."""
    hazard_ratio, low, high, p = cox.did_interaction(frame, covariates, alpha=alpha)
    pre = frame[frame["post"] == 0]
    parallel_p = cox.pre_trend_p(pre, alpha=alpha)
    median_did, pre_difference = _median_differences(
        frame, alpha=alpha, bootstrap=bootstrap, seed=seed
    )
    return DidResult(
        hazard_ratio=hazard_ratio,
        low=low,
        high=high,
        p=p,
        median_did=median_did,
        pre_difference=pre_difference,
        pre_medians=quarterly_medians(pre, alpha=alpha),
        parallel_p=parallel_p,
        parallel=None if parallel_p is None else bool(parallel_p >= alpha),
    )


def _median_differences(
    frame: pd.DataFrame, *, alpha: float, bootstrap: int, seed: int
) -> tuple[Estimate, Estimate]:
    """The median DiD, (pilot − comparison) post minus (pilot − comparison) pre, and the
    pre-period difference (pilot − comparison), in days with bootstrap CIs."""
    points, replicates = [], []
    for index, (group, period) in enumerate(CELLS):
        cell = frame[(frame["group"] == group) & (frame["period"] == period)]
        days, primary = cell["days"].to_numpy(), cell["primary"].to_numpy()
        points.append(float(fit_km(days, primary, alpha=alpha).median_survival_time_))
        rng = np.random.default_rng([seed, 3, index])
        counts = resample_counts(len(cell), bootstrap=bootstrap, rng=rng)
        replicates.append(replicate_stats(days, primary, counts, horizon=float(days.max()))[0])
    with np.errstate(invalid="ignore"):
        did = difference(
            (points[0] - points[1]) - (points[2] - points[3]),
            replicates[0] - replicates[1],
            replicates[2] - replicates[3],
            alpha=alpha,
        )
        pre = difference(points[2] - points[3], replicates[2], replicates[3], alpha=alpha)
    return did, pre


def quarterly_medians(pre: pd.DataFrame, *, alpha: float) -> pd.DataFrame:
    """KM median per group per calendar quarter of ``start`` (in the data's own time zone).

    Columns: group, quarter (e.g. "2016Q3"), n, events, median_days, lower, upper.
    """
    start = pre["start"]
    quarter = start.dt.year.astype(str) + "Q" + start.dt.quarter.astype(str)
    rows = []
    for (group, when), cell in pre.groupby([pre["group"], quarter], sort=True):
        km = fit_km(cell["days"].to_numpy(), cell["primary"].to_numpy(), alpha=alpha)
        bounds = median_survival_times(km.confidence_interval_)
        rows.append(
            {
                "group": group,
                "quarter": when,
                "n": len(cell),
                "events": int(cell["primary"].sum()),
                "median_days": float(km.median_survival_time_),
                "lower": float(bounds.iloc[0, 0]),
                "upper": float(bounds.iloc[0, 1]),
            }
        )
    columns = ["group", "quarter", "n", "events", "median_days", "lower", "upper"]
    return pd.DataFrame(rows, columns=columns)

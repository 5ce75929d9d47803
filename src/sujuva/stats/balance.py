"""Are the groups alike? Covariate balance and the inverse-probability-weighted comparison.

A pilot unit's customers may differ from the comparison's (younger, another office). The
standardised mean difference (SMD) of each covariate level shows how much; above 0.1 is the
usual sign of imbalance (Austin 2009). The comparison group is then reweighted to look like the
pilot group (ATT weights p/(1 − p), propensity p from a logistic GLM in statsmodels) and the
medians compared again. This only balances what was measured, hence the "not randomised"
caveat in every verdict.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.api as sm

from sujuva.stats.cox import design, pooled
from sujuva.stats.results import BalanceResult, Estimate
from sujuva.stats.survival import difference, fit_km, replicate_stats

THRESHOLD = 0.1
CLIP = (0.01, 0.99)


def balance(
    post: pd.DataFrame,
    covariates: Sequence[str],
    *,
    alpha: float,
    counts: tuple[np.ndarray, np.ndarray],
    pilot_medians: np.ndarray,
) -> BalanceResult | None:
    """SMD table before and after weighting, and the adjusted median difference if imbalanced.

    ``counts`` are the bootstrap resamples (pilot, comparison) of the main evaluation and
    ``pilot_medians`` the pilot medians of those resamples: ATT weights leave the pilot group
    as it is, so only the comparison side is re-estimated.
    """
    dummies = design(post, covariates).columns
    if dummies.empty:
        return None
    pilot = post["pilot"].to_numpy()
    weights = att_weights(pilot, patterns_of(dummies.to_numpy()), None)
    table = smd_table(post, covariates, weights=weights)
    before = float(table["smd_before"].abs().max())
    adjusted = None
    if before > THRESHOLD:
        adjusted = _adjusted(
            post, dummies.to_numpy(), weights, alpha=alpha, counts=counts, pilot=pilot_medians
        )
    return BalanceResult(
        table=table,
        max_smd_before=before,
        max_smd_after=float(table["smd_after"].abs().max()),
        imbalanced=before > THRESHOLD,
        adjusted_median_difference=adjusted,
    )


Patterns = tuple[np.ndarray, np.ndarray]


def patterns_of(dummies: np.ndarray) -> Patterns:
    """The distinct covariate patterns (rows) and each case's pattern index."""
    patterns, inverse = np.unique(dummies, axis=0, return_inverse=True)
    return patterns.astype(float), inverse.reshape(-1)


def att_weights(pilot: np.ndarray, patterns: Patterns, freq: np.ndarray | None) -> np.ndarray:
    """Weights making the comparison look like the pilot: 1 for pilot, p/(1 − p) otherwise.

    ``freq`` are frequency weights (bootstrap counts) for the propensity fit. The covariates are
    categorical, so the logistic model is fitted on the binomial counts per covariate pattern
    (:func:`patterns_of`): the same likelihood as case by case, at a fraction of the cost.
    """
    rows, inverse = patterns
    weight = np.ones(len(pilot)) if freq is None else freq
    yes = np.bincount(inverse, weights=weight * (pilot == 1), minlength=len(rows))
    no = np.bincount(inverse, weights=weight * (pilot != 1), minlength=len(rows))
    seen = (yes + no) > 0
    exog = sm.add_constant(rows, has_constant="add")
    model = sm.GLM(
        np.column_stack([yes[seen], no[seen]]), exog[seen], family=sm.families.Binomial()
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = model.fit()
    score = np.clip(fitted.predict(exog), *CLIP)[inverse]
    return np.where(pilot == 1, 1.0, score / (1.0 - score))


def smd_table(
    post: pd.DataFrame, covariates: Sequence[str], *, weights: np.ndarray
) -> pd.DataFrame:
    """Per covariate level: shares and standardised mean differences before and after IPW."""
    pilot = post["pilot"].to_numpy() == 1
    rows = []
    for cov in covariates:
        values = pooled(post[cov]).to_numpy()
        for level in sorted(set(values)):
            hit = (values == level).astype(float)
            p1, p0 = hit[pilot].mean(), hit[~pilot].mean()
            w0 = weights[~pilot]
            p0w = float((hit[~pilot] * w0).sum() / w0.sum())
            rows.append(
                {
                    "covariate": cov,
                    "level": str(level),
                    "pilot_share": p1,
                    "comparison_share": p0,
                    "comparison_share_weighted": p0w,
                    "smd_before": smd(p1, p0),
                    "smd_after": smd(p1, p0w),
                }
            )
    return pd.DataFrame(rows)


def smd(share_a: float, share_b: float) -> float:
    """Standardised difference of two proportions: (a − b) / √((a(1−a) + b(1−b)) / 2)."""
    spread = np.sqrt((share_a * (1 - share_a) + share_b * (1 - share_b)) / 2)
    if spread == 0:
        return 0.0 if share_a == share_b else float(np.sign(share_a - share_b) * np.inf)
    return float((share_a - share_b) / spread)


def _adjusted(
    post: pd.DataFrame,
    dummies: np.ndarray,
    weights: np.ndarray,
    *,
    alpha: float,
    counts: tuple[np.ndarray, np.ndarray],
    pilot: np.ndarray,
) -> Estimate:
    """Weighted-KM median difference; each resample refits the propensity (statsmodels)."""
    is_pilot = post["pilot"].to_numpy() == 1
    days, primary = post["days"].to_numpy(), post["primary"].to_numpy()
    point = float(
        fit_km(days[is_pilot], primary[is_pilot], alpha=alpha).median_survival_time_
        - fit_km(
            days[~is_pilot], primary[~is_pilot], alpha=alpha, weights=weights[~is_pilot]
        ).median_survival_time_
    )
    # Rows of the post frame in the order the counts were drawn: pilot cases, then comparison.
    order = np.concatenate([np.flatnonzero(is_pilot), np.flatnonzero(~is_pilot)])
    labels, patterns = post["pilot"].to_numpy()[order], patterns_of(dummies[order])
    n_pilot = int(is_pilot.sum())
    replicate_weights = np.empty_like(counts[1])
    for b in range(counts[1].shape[0]):
        freq = np.concatenate([counts[0][b], counts[1][b]])
        replicate_weights[b] = counts[1][b] * att_weights(labels, patterns, freq)[n_pilot:]
    comparison, _ = replicate_stats(
        days[~is_pilot], primary[~is_pilot], replicate_weights, horizon=float(days.max())
    )
    return difference(point, pilot, comparison, alpha=alpha)

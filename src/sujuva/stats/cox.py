"""Cox models of the primary outcome (lifelines): pilot effect, DiD interaction, pre-trends.

Categorical covariates enter one-hot with the most common level as the reference. Levels with
fewer than :data:`RARE` cases are pooled into "(other)" and covariates left with one level are
dropped: a handful of cases in a level gives a coefficient with no information and often keeps
the model from converging. If the model still does not converge, a small ridge penalty is tried,
then the covariates are dropped, so that the pilot's hazard ratio is always reported.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter
from lifelines.exceptions import ConvergenceError
from lifelines.statistics import proportional_hazard_test

from sujuva.stats.results import CoxResult

RARE = 10
OTHER = "(other)"
PENALTY = 0.01


@dataclass(frozen=True)
class Design:
    """One-hot covariate columns (reference level dropped) and what was kept or dropped."""

    columns: pd.DataFrame
    used: tuple[str, ...]
    dropped: tuple[str, ...]


def design(frame: pd.DataFrame, covariates: Sequence[str]) -> Design:
    """Dummy columns ``covariate=level`` for ``frame``, most common level as the reference."""
    parts, used, dropped = [], [], []
    for cov in covariates:
        values = pooled(frame[cov])
        counts = values.value_counts()
        if len(counts) < 2:
            dropped.append(cov)
            continue
        reference = str(counts.index[0])
        for level in sorted(str(v) for v in counts.index if v != reference):
            parts.append((values == level).astype(float).rename(f"{cov}={level}"))
        used.append(cov)
    columns = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)
    return Design(columns=columns, used=tuple(used), dropped=tuple(dropped))


def pooled(values: pd.Series) -> pd.Series:
    """The covariate's levels with those of fewer than :data:`RARE` cases pooled as (other)."""
    counts = values.value_counts()
    rare = counts.index[counts < RARE]
    return values.where(~values.isin(rare), OTHER).astype(str)


def fit(table: pd.DataFrame, *, alpha: float, penaliser: float = 0.0) -> CoxPHFitter:
    """Lifelines' Cox model (Efron ties) of ``table`` (columns days, primary and the terms)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CoxPHFitter(alpha=alpha, penalizer=penaliser).fit(
            table, duration_col="days", event_col="primary"
        )


def robust_fit(
    base: pd.DataFrame, dummies: pd.DataFrame, *, alpha: float
) -> tuple[CoxPHFitter, pd.DataFrame, bool, bool]:
    """Fit with the covariates, then penalised, then without them.

    Returns the model, the table it was fitted on, whether it was penalised and whether the
    covariates had to be dropped.
    """
    table = pd.concat([base, dummies], axis=1)
    attempts = [(table, 0.0, False), (table, PENALTY, False), (base, 0.0, True)]
    for data, penaliser, without in attempts:
        try:
            return fit(data, alpha=alpha, penaliser=penaliser), data, penaliser > 0, without
        except (ConvergenceError, np.linalg.LinAlgError, ValueError):
            continue
    model = fit(base, alpha=alpha, penaliser=PENALTY)
    return model, base, True, True


def terms(model: CoxPHFitter) -> pd.DataFrame:
    """Every term of a fitted model: term, hazard_ratio, low, high, p."""
    bounds = np.exp(model.confidence_intervals_)
    return pd.DataFrame(
        {
            "term": model.params_.index.astype(str),
            "hazard_ratio": np.exp(model.params_.to_numpy()),
            "low": bounds.iloc[:, 0].to_numpy(),
            "high": bounds.iloc[:, 1].to_numpy(),
            "p": model.summary["p"].to_numpy(),
        }
    )


def term(table: pd.DataFrame, name: str, column: str = "hazard_ratio") -> float:
    """One number of one term from a :func:`terms` (or PH test) table."""
    values = table[column].to_numpy(dtype=float)
    return float(values[list(table["term"]).index(name)])


def pilot_effect(post: pd.DataFrame, covariates: Sequence[str], *, alpha: float) -> CoxResult:
    """Hazard ratio of pilot against comparison adjusted for ``covariates``, with the PH check."""
    dummies = design(post, covariates)
    base = post[["days", "primary", "pilot"]].astype(float)
    model, table, penalised, without = robust_fit(base, dummies.columns, alpha=alpha)
    found = terms(model)
    ph = _ph_test(model, table)
    ph_p = term(ph, "pilot", "p") if "pilot" in set(ph["term"]) else 1.0
    used = () if without else dummies.used
    dropped = dummies.dropped + (dummies.used if without else ())
    return CoxResult(
        hazard_ratio=term(found, "pilot"),
        low=term(found, "pilot", "low"),
        high=term(found, "pilot", "high"),
        p=term(found, "pilot", "p"),
        covariates=used,
        dropped=dropped,
        table=found,
        ph_test=ph,
        ph_p=ph_p,
        ph_violated=bool(ph_p < alpha),
        penalised=penalised,
    )


def _ph_test(model: CoxPHFitter, table: pd.DataFrame) -> pd.DataFrame:
    """Lifelines' proportional-hazards test (rank time transform): term, statistic, p."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = proportional_hazard_test(model, table, time_transform="rank").summary
    return pd.DataFrame(
        {
            "term": summary.index.astype(str),
            "statistic": summary["test_statistic"].to_numpy(dtype=float),
            "p": summary["p"].to_numpy(dtype=float),
        }
    )


def did_interaction(
    frame: pd.DataFrame, covariates: Sequence[str], *, alpha: float
) -> tuple[float, float, float, float]:
    """Group × period interaction of a Cox model on all rows: hazard ratio, low, high, p."""
    base = frame[["days", "primary", "pilot", "post"]].astype(float)
    base["pilot_x_post"] = base["pilot"] * base["post"]
    model, _, _, _ = robust_fit(base, design(frame, covariates).columns, alpha=alpha)
    found = terms(model)
    ratio, low, high, p = (
        term(found, "pilot_x_post", column) for column in ("hazard_ratio", "low", "high", "p")
    )
    return ratio, low, high, p


def pre_trend_p(pre: pd.DataFrame, *, alpha: float) -> float | None:
    """p of the group × calendar-time interaction in a Cox model on the pre rows.

    Calendar time is the start in years since the first pre-period start. None when the pre
    period spans less than a quarter or a group has no outcomes there (nothing to test).
    """
    start = pre["start"]
    years = (start - start.min()).dt.total_seconds().to_numpy() / (365.25 * 86_400)
    if years.max() < 0.25 or pre.groupby("pilot")["primary"].sum().min() == 0:
        return None
    table = pd.DataFrame(
        {
            "days": pre["days"].to_numpy(dtype=float),
            "primary": pre["primary"].to_numpy(dtype=float),
            "pilot": pre["pilot"].to_numpy(dtype=float),
            "year": years - years.mean(),
        }
    )
    table["pilot_x_year"] = table["pilot"] * table["year"]
    model, _, _, _ = robust_fit(table, pd.DataFrame(index=table.index), alpha=alpha)
    return term(terms(model), "pilot_x_year", "p")

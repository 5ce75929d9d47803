"""Checking and preparing the case table of a pilot evaluation.

Every problem a user can cause is a :class:`~sujuva.errors.UsageError` with a message that
names the column and the fix, raised before any statistics run: an estimator failing halfway on
bad input would give a confusing error or, worse, a quietly wrong number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sujuva.errors import UsageError

REQUIRED = ("group", "period", "start", "days", "event", "event_name")
GROUPS = ("pilot", "comparison")
PERIODS = ("pre", "post")
MISSING = "(missing)"
RESERVED = (*REQUIRED, "case_id", "primary", "pilot", "post")


@dataclass(frozen=True)
class Prepared:
    """The checked case table and what the estimators need to know about it.

    ``frame`` has the input columns plus ``primary`` (1 = the primary outcome), ``pilot``
    (1 = pilot group) and ``post`` (1 = post period), with covariates as strings in which a
    missing value is the level ``"(missing)"``. ``outcome_names`` maps each event code ≥ 1 to
    its label.
    """

    frame: pd.DataFrame
    covariates: tuple[str, ...]
    outcome_names: dict[int, str]

    @property
    def post(self) -> pd.DataFrame:
        """The rows the evaluation compares: pilot-post against comparison-post."""
        return self.frame[self.frame["post"] == 1]

    @property
    def pre(self) -> pd.DataFrame:
        """The pre-period rows (difference-in-differences and pre-trends only)."""
        return self.frame[self.frame["post"] == 0]


def check_options(
    *,
    outcome: tuple[str, str],
    alpha: float,
    bootstrap: int,
    min_effect_days: float | None,
) -> None:
    """Reject option values that cannot give a meaningful evaluation."""
    if len(outcome) != 2 or not all(isinstance(s, str) and s.strip() for s in outcome):
        raise UsageError("outcome must be two non-empty step names: (from step, to step)")
    if not 0.0 < alpha < 0.5:
        raise UsageError(f"alpha must be between 0 and 0.5 (got {alpha})")
    if bootstrap < 50:
        raise UsageError(f"bootstrap must be at least 50 resamples (got {bootstrap})")
    if min_effect_days is not None and not min_effect_days > 0:
        raise UsageError(
            f"min_effect_days must be a positive number of days (got {min_effect_days})"
        )


def prepare(data: pd.DataFrame, *, covariates: Sequence[str]) -> Prepared:
    """Check ``data`` (one row per case) and return it ready for the estimators."""
    missing = [c for c in REQUIRED if c not in data.columns]
    if missing:
        raise UsageError(f"the case table lacks the column(s) {', '.join(missing)}")
    covs = _check_covariates(data, covariates)
    _check_labels(data, "group", GROUPS)
    _check_labels(data, "period", PERIODS)
    frame = data.loc[:, [*REQUIRED, *covs, *(["case_id"] if "case_id" in data else [])]].copy()
    frame["days"] = _checked_days(frame["days"])
    frame["event"] = _checked_events(frame["event"])
    _check_start(frame["start"])
    frame["primary"] = (frame["event"] == 1).astype(int)
    frame["pilot"] = (frame["group"] == "pilot").astype(int)
    frame["post"] = (frame["period"] == "post").astype(int)
    for cov in covs:
        values = frame[cov].astype("string").str.strip()
        frame[cov] = values.where(values.notna() & (values != ""), MISSING).astype(str)
    _check_groups(frame)
    return Prepared(
        frame=frame.reset_index(drop=True), covariates=covs, outcome_names=_names(frame)
    )


def _check_covariates(data: pd.DataFrame, covariates: Sequence[str]) -> tuple[str, ...]:
    if isinstance(covariates, str):
        raise UsageError("covariates must be a list of column names, not one string")
    covs = tuple(dict.fromkeys(covariates))
    unknown = [c for c in covs if c not in data.columns]
    if unknown:
        raise UsageError(f"unknown covariate column(s): {', '.join(unknown)}")
    reserved = [c for c in covs if c in RESERVED]
    if reserved:
        raise UsageError(f"{', '.join(reserved)} cannot be used as a covariate")
    return covs


def _check_labels(data: pd.DataFrame, column: str, allowed: tuple[str, ...]) -> None:
    values = data[column]
    bad = sorted({repr(v) for v in values[~values.isin(allowed)]})
    if bad:
        shown = ", ".join(bad[:5])
        raise UsageError(f"column '{column}' may only hold {' or '.join(allowed)}; found {shown}")


def _checked_days(days: pd.Series) -> pd.Series:
    numeric = pd.to_numeric(days, errors="coerce").astype(float)
    if numeric.isna().any() or not np.isfinite(numeric.to_numpy()).all():
        raise UsageError("column 'days' must hold a finite number of days for every case")
    if (numeric < 0).any():
        count = int((numeric < 0).sum())
        raise UsageError(
            f"column 'days' has {count} negative value(s): the outcome cannot come before "
            "the start step (check the order of the steps or the clock)"
        )
    return numeric


def _checked_events(events: pd.Series) -> pd.Series:
    numeric = pd.to_numeric(events, errors="coerce")
    ok = numeric.notna() & (numeric >= 0) & (numeric == np.round(numeric))
    if not ok.all():
        raise UsageError(
            "column 'event' must be a whole number ≥ 0 for every case "
            "(0 = still open, 1 = the primary outcome, 2, 3… = other outcomes)"
        )
    return numeric.astype(int)


def _check_start(start: pd.Series) -> None:
    if not isinstance(start.dtype, pd.DatetimeTZDtype):
        raise UsageError("column 'start' must hold time-zone-aware datetimes")
    if start.isna().any():
        raise UsageError("column 'start' has missing values")


def _check_groups(frame: pd.DataFrame) -> None:
    post = frame[frame["post"] == 1]
    for group in GROUPS:
        rows = post[post["group"] == group]
        if rows.empty:
            raise UsageError(f"the {group} group has no cases in the post period")
        if not rows["primary"].any():
            raise UsageError(
                f"no case in the {group} group (post period) has reached the primary outcome "
                "(event 1): there is nothing to compare"
            )
    if "case_id" in frame:
        pilot = set(frame.loc[frame["pilot"] == 1, "case_id"].dropna())
        comparison = set(frame.loc[frame["pilot"] == 0, "case_id"].dropna())
        both = sorted(map(str, pilot & comparison))
        if both:
            raise UsageError(
                f"{len(both)} case(s) are in both the pilot and the comparison group "
                f"(e.g. {', '.join(both[:3])}); a case can belong to one group only"
            )


def _names(frame: pd.DataFrame) -> dict[int, str]:
    names: dict[int, str] = {}
    for code in sorted(int(c) for c in frame["event"].unique() if c >= 1):
        labels = frame.loc[frame["event"] == code, "event_name"].dropna().astype(str)
        names[code] = labels.iloc[0] if len(labels) else f"outcome {code}"
    return names

"""Forecasting cumulative new jobs to the target's horizon, with a prediction interval.

The model is a weighted least-squares line through the monthly job rates (statsmodels WLS):
``rate_k = FTE_k ÷ exposure_k`` where ``exposure_k`` is the part of month ``k`` observed (the
first and the current month may be partial), weighted by exposure, so that a half-observed
month counts half and its rate's variance is ``σ² ÷ exposure``. With three or more observed
months the line has a trend; with two it is the mean rate; with fewer there is no forecast.

Future monthly FTE is ``max(rate, 0) × exposure``. The point forecast uses the fitted line;
the interval simulates parameter uncertainty (draws from the estimates' normal distribution)
and month-to-month noise (normal with the residual variance), and takes quantiles of the
simulated cumulative sums. A series without noise (e.g. exactly 30 a month) gets a zero-width
interval: the data give no reason for doubt, not a guarantee.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import WLS

from sujuva.impact.io import FloatArray

MIN_MONTHS_TREND = 3
MIN_MONTHS = 2
SIMULATIONS = 4000


@dataclass(frozen=True)
class Forecast:
    """The forecast from the observed months to the horizon (FTE, cumulative from the start).

    ``model`` describes the fit; ``months_used`` observed months; ``pace_per_month`` the fitted
    rate at the data cut (never below 0); ``trend_per_month`` the change of that rate per month
    (0 for the mean model); ``expected_at_horizon`` the point forecast, ``low``–``high`` its
    prediction interval at ``level``; ``probability_reached`` the share of simulations reaching
    the target by the horizon. ``path`` columns: month (first day, Timestamp), expected, low,
    high — cumulative FTE at the end of each month to the horizon.
    """

    model: str
    months_used: int
    pace_per_month: float
    trend_per_month: float
    expected_at_horizon: float
    low: float
    high: float
    level: float
    probability_reached: float
    path: pd.DataFrame


@dataclass(frozen=True)
class Fit:
    """A fitted rate line: ``params`` (intercept[, slope per month]), their ``cov``, the
    residual variance ``scale`` of a fully observed month, and the ``months`` observed."""

    params: FloatArray
    cov: FloatArray
    scale: float
    months: int

    def rate(self, positions: FloatArray) -> FloatArray:
        """Fitted monthly rate at month ``positions``."""
        design = _design(positions, trend=len(self.params) == 2)
        result: FloatArray = design @ self.params
        return result


def _design(positions: FloatArray, *, trend: bool) -> FloatArray:
    ones = np.ones_like(positions, dtype=np.float64)
    return np.column_stack([ones, positions]) if trend else ones[:, np.newaxis]


def fit_rates(*, fte: FloatArray, exposure: FloatArray, midpoints: FloatArray) -> Fit | None:
    """The WLS rate line of the observed months (exposure > 0); ``None`` with too few."""
    observed = exposure > 1e-9
    if observed.sum() < MIN_MONTHS:
        return None
    rates = fte[observed] / exposure[observed]
    trend = observed.sum() >= MIN_MONTHS_TREND
    result = WLS(rates, _design(midpoints[observed], trend=trend), weights=exposure[observed]).fit()
    scale = float(result.scale) if np.isfinite(result.scale) else 0.0
    cov = np.asarray(result.normalized_cov_params, dtype=np.float64) * scale
    return Fit(
        params=np.asarray(result.params, dtype=np.float64),
        cov=cov,
        scale=scale,
        months=int(observed.sum()),
    )


def simulate(
    *,
    fit: Fit,
    exposure: FloatArray,
    midpoints: FloatArray,
    start: float,
    level: float,
    seed: int,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Cumulative FTE after each future month: (point, low, high, final simulated totals).

    ``start`` is the cumulative FTE at the data cut; the future months have the given
    ``exposure`` (fraction of the month before the horizon) and ``midpoints``.
    """
    point = start + np.cumsum(np.maximum(fit.rate(midpoints), 0.0) * exposure)
    rng = np.random.default_rng(seed)
    params = rng.multivariate_normal(fit.params, fit.cov, size=SIMULATIONS, method="eigh")
    design = _design(midpoints, trend=len(fit.params) == 2)
    noise_sd = np.sqrt(fit.scale / np.maximum(exposure, 1e-9))
    rates = params @ design.T + rng.normal(0.0, 1.0, (SIMULATIONS, len(exposure))) * noise_sd
    totals = start + np.cumsum(np.maximum(rates, 0.0) * exposure, axis=1)
    low = np.quantile(totals, (1 - level) / 2, axis=0)
    high = np.quantile(totals, (1 + level) / 2, axis=0)
    return point, low, high, totals[:, -1]

"""The vectorised bootstrap reproduces lifelines' Kaplan–Meier resample by resample.

The bootstrap evaluates the product-limit curve on a matrix of case weights instead of refitting
lifelines 2 × 1000 times; these tests refit lifelines for a sample of resamples (plain and
IPW-weighted, with tied and continuous times) and demand the same medians and restricted means.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from lifelines import KaplanMeierFitter
from lifelines.utils import restricted_mean_survival_time

from sujuva.stats.survival import percentile_ci, replicate_stats, resample_counts


def lifelines_stats(
    days: np.ndarray, primary: np.ndarray, weights: np.ndarray, horizon: float
) -> tuple[float, float]:
    keep = weights > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        km = KaplanMeierFitter().fit(days[keep], primary[keep], weights=weights[keep])
    return float(km.median_survival_time_), float(restricted_mean_survival_time(km, t=horizon))


def sample(seed: int, *, n: int, ties: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    latent = rng.lognormal(np.log(100), 0.7, n)
    censor = rng.uniform(0, 400, n)
    days = np.minimum(latent, censor)
    return (np.floor(days) if ties else days), (latent <= censor).astype(int)


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("ipw", [False, True])
def test_replicates_match_lifelines(ties: bool, ipw: bool) -> None:
    days, primary = sample(1, n=300, ties=ties)
    counts = resample_counts(len(days), bootstrap=25, rng=np.random.default_rng(2))
    if ipw:
        counts = counts * np.random.default_rng(3).uniform(0.2, 5.0, len(days))
    horizon = 250.0
    medians, rmsts = replicate_stats(days, primary, counts, horizon=horizon)
    for row, weights in enumerate(counts):
        median, rmst = lifelines_stats(days, primary, weights, horizon)
        assert medians[row] == median
        assert rmsts[row] == pytest.approx(rmst, rel=1e-9)


def test_median_not_reached_is_infinite() -> None:
    days = np.arange(1.0, 21.0)
    primary = np.r_[np.ones(5), np.zeros(15)].astype(int)
    medians, rmsts = replicate_stats(days, primary, np.ones((1, 20)), horizon=20.0)
    assert medians[0] == np.inf
    assert rmsts[0] == pytest.approx(lifelines_stats(days, primary, np.ones(20), 20.0)[1])


def test_horizon_before_first_time_gives_the_horizon() -> None:
    days, primary = np.array([5.0, 8.0]), np.array([1, 1])
    _, rmsts = replicate_stats(days, primary, np.ones((1, 2)), horizon=3.0)
    assert rmsts[0] == 3.0


def test_chunks_do_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    days, primary = sample(4, n=200, ties=True)
    counts = resample_counts(len(days), bootstrap=40, rng=np.random.default_rng(5))
    whole = replicate_stats(days, primary, counts, horizon=300.0)
    monkeypatch.setattr("sujuva.stats.survival.CHUNK_CELLS", 1000)
    chunked = replicate_stats(days, primary, counts, horizon=300.0)
    np.testing.assert_array_equal(whole[0], chunked[0])
    np.testing.assert_allclose(whole[1], chunked[1])


def test_resamples_are_seeded_and_keep_the_group_size() -> None:
    first = resample_counts(50, bootstrap=10, rng=np.random.default_rng(7))
    again = resample_counts(50, bootstrap=10, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(first, again)
    assert (first.sum(axis=1) == 50).all()


def test_percentile_interval() -> None:
    values = np.arange(1.0, 1001.0)
    assert percentile_ci(values, alpha=0.05) == (25.0, 975.0)
    with_nan = np.r_[values, np.nan]
    assert percentile_ci(with_nan, alpha=0.05) == (25.0, 975.0)
    assert percentile_ci(np.r_[values[:-30], [np.inf] * 30], alpha=0.05)[1] == np.inf

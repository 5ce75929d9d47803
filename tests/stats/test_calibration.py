"""Calibration by simulation: the verdict rarely claims an effect that is not there, and the
95 % CI of the median difference holds the true effect about 95 % of the time.

The regular run uses 50 + 50 small pilots with 200 resamples (a binomial margin on both
rates); the slow run uses 200 + 200 with 400 resamples and the rates the brief asks for. The
same figures with 1,000 resamples: ``python -m benchmarks.pilot_calibration``.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from functools import partial

import pandas as pd
import pytest
from scipy.stats import binom

from sujuva.stats import Scenario, calibrate

EFFECT = -21.0


def simulate(*, effect: float, runs: int, bootstrap: int, size: tuple[int, int]) -> pd.DataFrame:
    scenario = Scenario(n_pilot=size[0], n_comparison=size[1], effect_days=effect)
    first = 100_000 if effect else 0
    workers = min(2, os.cpu_count() or 1)
    size_of_chunk = -(-runs // workers)
    chunks = [
        (first + start, min(size_of_chunk, runs - start)) for start in range(0, runs, size_of_chunk)
    ]
    job = partial(calibrate, scenario=scenario, bootstrap=bootstrap)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(job, runs=n, first_seed=seed) for seed, n in chunks]
        return pd.concat([f.result() for f in futures], ignore_index=True)


def check(null: pd.DataFrame, known: pd.DataFrame, *, claims: int, coverage: float) -> None:
    assert (null["kind"] != "longer").sum() >= len(null) - claims  # sanity: mostly no change
    assert int(null["claimed"].sum()) <= claims, null["kind"].value_counts()
    assert known["covered"].mean() >= coverage, known[~known["covered"]]
    assert null["covered"].mean() >= coverage  # the CI holds 0 when there is no effect
    assert known["estimate"].mean() == pytest.approx(EFFECT, abs=3)
    assert (known["kind"] == "longer").sum() == 0


def test_calibration_fast() -> None:
    runs = 50
    null = simulate(effect=0.0, runs=runs, bootstrap=200, size=(150, 300))
    known = simulate(effect=EFFECT, runs=runs, bootstrap=200, size=(150, 300))
    assert len(null) == len(known) == runs
    assert null["seed"].nunique() == runs
    # At most 5 % false claims plus the binomial margin (99th percentile of Bin(50, 0.05)),
    # coverage at least the 1st percentile of Bin(50, 0.95).
    claims = int(binom.ppf(0.99, runs, 0.05))
    coverage = binom.ppf(0.01, runs, 0.95) / runs
    check(null, known, claims=claims, coverage=coverage)


@pytest.mark.slow
def test_calibration_full() -> None:
    runs = 200
    null = simulate(effect=0.0, runs=runs, bootstrap=400, size=(300, 600))
    known = simulate(effect=EFFECT, runs=runs, bootstrap=400, size=(300, 600))
    claims = int(0.05 * runs + 2 * (runs * 0.05 * 0.95) ** 0.5)  # 5 % + 2 binomial s.d.
    check(null, known, claims=claims, coverage=0.90)
    assert (known["kind"] == "shorter").mean() > 0.3  # the effect is found, not just covered

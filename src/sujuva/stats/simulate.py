"""Simulated pilots with a known effect, for testing and calibrating the evaluation.

Each case's latent time to the primary outcome is log-normal around ``median_days``, scaled by
its age band (older customers are slower); a pilot case's time is shifted by ``effect_days``
(``pre_effect_days`` in the pre period). A competing outcome arrives at an exponential time,
and cases still open at the data cut are censored there. Because every pilot case is shifted by
the same number of days, the true difference of medians is exactly ``effect_days`` whatever the
mix of covariates (up to the floor at half a day, which the defaults practically never reach).
:func:`calibrate` runs many such pilots through the evaluation: the false-claim rate and the
coverage of the confidence interval are the evaluation's own quality figures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sujuva.stats.pilot import evaluate_pilot

AGE_BANDS = ("under 30", "30–49", "50+")
AGE_SHARES = (0.3, 0.4, 0.3)
AGE_FACTOR = (0.85, 1.0, 1.3)
OFFICES = ("Joensuu", "Lieksa", "Kitee", "Nurmes", None)
OFFICE_SHARES = (0.5, 0.2, 0.15, 0.1, 0.05)
COMPETING = ((2, "left the path", 0.6), (3, "moved to another service", 0.4))


@dataclass(frozen=True)
class Scenario:
    """A simulated pilot. ``imbalance`` moves that share of the pilot group's age mix from
    "under 30" to "50+"; ``pre_trend_days_per_year`` drifts the pilot's pre-period times with
    calendar time (centred on the pre period); ``competing_rate`` is per day."""

    n_pilot: int = 900
    n_comparison: int = 2000
    effect_days: float = -21.0
    n_pre_pilot: int = 0
    n_pre_comparison: int = 0
    pre_effect_days: float = 0.0
    pre_trend_days_per_year: float = 0.0
    median_days: float = 130.0
    sigma: float = 0.6
    competing_rate: float = 1 / 700
    imbalance: float = 0.0
    window_days: float = 730.0
    data_cut: str = "2019-01-01"
    zone: str = "Europe/Helsinki"
    outcome_name: str = "Start-up grant decision"


def simulate_pilot(*, scenario: Scenario, seed: int) -> pd.DataFrame:
    """One simulated case table in the shape :func:`sujuva.stats.evaluate_pilot` reads."""
    rng = np.random.default_rng(seed)
    cells = (
        ("pilot", "post", scenario.n_pilot),
        ("comparison", "post", scenario.n_comparison),
        ("pilot", "pre", scenario.n_pre_pilot),
        ("comparison", "pre", scenario.n_pre_comparison),
    )
    parts = [_cell(scenario, rng, group=g, period=p, n=n) for g, p, n in cells if n > 0]
    return pd.concat(parts, ignore_index=True)


def _cell(
    scenario: Scenario, rng: np.random.Generator, *, group: str, period: str, n: int
) -> pd.DataFrame:
    """The cases of one group in one period."""
    pilot = group == "pilot"
    cut = pd.Timestamp(scenario.data_cut, tz=scenario.zone)
    offset = scenario.window_days * (2 if period == "pre" else 1)
    before = offset - rng.uniform(0, scenario.window_days, n)
    start = cut - pd.to_timedelta(before, unit="D")
    ages = rng.choice(len(AGE_BANDS), size=n, p=_age_shares(scenario.imbalance if pilot else 0))
    latent = rng.lognormal(np.log(scenario.median_days), scenario.sigma, n)
    latent = latent * np.asarray(AGE_FACTOR)[ages] + _shift(scenario, pilot, period, before)
    latent = np.maximum(latent, 0.5)
    other = rng.exponential(1 / scenario.competing_rate, n)
    days = np.minimum.reduce([latent, other, before])
    which = rng.choice([c[0] for c in COMPETING], size=n, p=[c[2] for c in COMPETING])
    event = np.select([latent <= np.minimum(other, before), other <= before], [1, which], 0)
    names = {0: "still open", 1: scenario.outcome_name} | {c[0]: c[1] for c in COMPETING}
    offices = rng.choice(len(OFFICES), size=n, p=OFFICE_SHARES)
    return pd.DataFrame(
        {
            "case_id": [f"{group[0].upper()}{period}-{i}" for i in range(n)],
            "group": group,
            "period": period,
            "start": start,
            "days": days,
            "event": event.astype(int),
            "event_name": [names[int(e)] for e in event],
            "age_band": np.asarray(AGE_BANDS, dtype=object)[ages],
            "office": np.asarray(OFFICES, dtype=object)[offices],
        }
    )


def _age_shares(imbalance: float) -> list[float]:
    young, middle, old = AGE_SHARES
    moved = min(imbalance, young)
    return [young - moved, middle, old + moved]


def _shift(scenario: Scenario, pilot: bool, period: str, before: np.ndarray) -> np.ndarray:
    """Days added to each case's latent time: the pilot effect and the pre-period drift."""
    if not pilot:
        return np.zeros(len(before))
    if period == "post":
        return np.full(len(before), scenario.effect_days)
    # Years since the middle of the pre window (earlier starts are further before the cut).
    years = (1.5 * scenario.window_days - before) / 365.25
    return scenario.pre_effect_days + scenario.pre_trend_days_per_year * years


def calibrate(
    *,
    scenario: Scenario,
    runs: int,
    first_seed: int = 0,
    bootstrap: int = 1000,
    covariates: tuple[str, ...] = (),
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Evaluate ``runs`` simulated pilots and record what the verdict and CI said.

    Columns: seed, kind, claimed (kind is shorter or longer), estimate, low, high (median
    difference and its CI), covered (the CI holds ``scenario.effect_days``), seconds. With
    ``effect_days = 0`` the share claimed is the false-claim rate; otherwise the share covered
    is the coverage of the CI.
    """
    rows = []
    for seed in range(first_seed, first_seed + runs):
        data = simulate_pilot(scenario=scenario, seed=seed)
        started = time.perf_counter()
        found = evaluate_pilot(
            data,
            outcome=("Business-idea counselling", scenario.outcome_name),
            covariates=covariates,
            alpha=alpha,
            bootstrap=bootstrap,
            seed=seed,
        )
        median = found.median_difference
        rows.append(
            {
                "seed": seed,
                "kind": found.verdict.kind,
                "claimed": found.verdict.kind in ("shorter", "longer"),
                "estimate": median.value,
                "low": median.low,
                "high": median.high,
                "covered": bool(median.low <= scenario.effect_days <= median.high),
                "seconds": time.perf_counter() - started,
            }
        )
    return pd.DataFrame(rows)

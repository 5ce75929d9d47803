"""The minimum detectable effect is what lifelines' power formula says it is."""

from __future__ import annotations

import pytest
from lifelines.statistics import power_under_cph, sample_size_necessary_under_cph

from sujuva.stats.power import power_summary
from sujuva.stats.results import GroupSummary


def group(name: str, n: int, events: int, median: float) -> GroupSummary:
    return GroupSummary(
        group=name,
        n=n,
        events=events,
        censored=n - events,
        competing=0,
        median_days=median,
        median_low=median - 5,
        median_high=median + 5,
        rmst_days=median,
    )


def test_detectable_ratio_has_the_target_power() -> None:
    pilot, comparison = group("pilot", 900, 600, 110), group("comparison", 2000, 1300, 130)
    found = power_summary(pilot, comparison, alpha=0.05, min_effect_days=None)
    assert found.mde_hazard_ratio is not None and found.mde_days is not None
    power = power_under_cph(900, 2000, 600 / 900, 1300 / 2000, found.mde_hazard_ratio, 0.05)
    assert power == pytest.approx(0.8, abs=1e-6)
    assert found.mde_days == pytest.approx(130 * (1 - 1 / found.mde_hazard_ratio))
    # The sample size lifelines asks for at that ratio is the size we have (up to rounding).
    n_exp, n_con = sample_size_necessary_under_cph(
        0.8, 900 / 2000, 600 / 900, 1300 / 2000, found.mde_hazard_ratio, 0.05
    )
    assert n_con == pytest.approx(2000, abs=2)
    assert n_exp == pytest.approx(900, abs=2)


def test_power_for_the_minimum_detectable_effect_is_the_target() -> None:
    pilot, comparison = group("pilot", 300, 200, 110), group("comparison", 600, 400, 130)
    mde = power_summary(pilot, comparison, alpha=0.05, min_effect_days=None).mde_days
    assert mde is not None
    found = power_summary(pilot, comparison, alpha=0.05, min_effect_days=mde)
    assert found.power_for_min_effect == pytest.approx(0.8, abs=1e-5)
    smaller = power_summary(pilot, comparison, alpha=0.05, min_effect_days=mde / 2)
    assert smaller.power_for_min_effect is not None and smaller.power_for_min_effect < 0.8


def test_bigger_groups_detect_smaller_effects() -> None:
    small = power_summary(
        group("pilot", 100, 60, 110),
        group("comparison", 200, 120, 130),
        alpha=0.05,
        min_effect_days=None,
    )
    large = power_summary(
        group("pilot", 1000, 600, 110),
        group("comparison", 2000, 1200, 130),
        alpha=0.05,
        min_effect_days=None,
    )
    assert small.mde_days is not None and large.mde_days is not None
    assert large.mde_days < small.mde_days


def test_median_not_reached_gives_no_days() -> None:
    found = power_summary(
        group("pilot", 100, 30, 110),
        group("comparison", 200, 60, float("inf")),
        alpha=0.05,
        min_effect_days=10,
    )
    assert found.mde_hazard_ratio is not None
    assert found.mde_days is None and found.power_for_min_effect is None


def test_tiny_groups_have_no_detectable_ratio() -> None:
    found = power_summary(
        group("pilot", 3, 1, 50),
        group("comparison", 3, 1, 60),
        alpha=0.05,
        min_effect_days=None,
    )
    assert found.mde_hazard_ratio is None and found.mde_days is None

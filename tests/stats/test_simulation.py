"""Simulated pilots with a known truth: the evaluation finds effects that exist, and only those.

Every simulated pilot case reaches the outcome a fixed number of days sooner, so the true
difference of medians is known exactly (see ``sujuva.stats.simulate``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sujuva.stats import PilotEvaluation, Scenario, evaluate_pilot, simulate_pilot

OUTCOME = ("Business-idea counselling", "Start-up grant decision")
COVARIATES = ("age_band", "office")


def run(
    scenario: Scenario, *, seed: int, bootstrap: int = 400, **options: object
) -> PilotEvaluation:
    data = simulate_pilot(scenario=scenario, seed=seed)
    return evaluate_pilot(
        data,
        outcome=OUTCOME,
        bootstrap=bootstrap,
        seed=seed,
        **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def known() -> PilotEvaluation:
    """Pilot 21 days faster, 600 vs 1,200 cases, covariates balanced.

    One draw: its 95 % CI misses the truth in about 1 seed of 20 (seed 21 is such a one, with
    a log-rank p of 0.001 but medians 2 days apart); test_calibration.py checks the rates.
    """
    return run(Scenario(n_pilot=600, n_comparison=1200), seed=23, covariates=COVARIATES)


@pytest.fixture(scope="module")
def null() -> PilotEvaluation:
    """No effect at all, 600 vs 1,200 cases."""
    scenario = Scenario(n_pilot=600, n_comparison=1200, effect_days=0.0)
    return run(scenario, seed=22, covariates=COVARIATES, min_effect_days=14.0)


def test_known_effect_is_found(known: PilotEvaluation) -> None:
    assert known.median_difference.low <= -21 <= known.median_difference.high
    assert known.median_difference.high < 0
    assert known.logrank.p < 0.05
    assert known.verdict.kind == "shorter"
    assert known.verdict.strength in ("strong", "moderate", "weak")
    assert known.verdict.measure == "median_difference"
    assert known.verdict.estimate_days == known.median_difference.value
    assert known.cox.hazard_ratio > 1 and known.cox.low > 1
    assert known.cox.covariates == COVARIATES
    assert "Start-up grant decision" in known.verdict.text["en"]
    assert "”Start-up grant decision”" in known.verdict.text["fi"]
    assert "shortened by" in known.verdict.text["en"]
    assert "lyheni" in known.verdict.text["fi"]


def test_known_effect_reports_groups_and_curves(known: PilotEvaluation) -> None:
    assert (known.pilot.n, known.comparison.n) == (600, 1200)
    for group in (known.pilot, known.comparison):
        assert group.events + group.censored + group.competing == group.n
        assert group.median_low <= group.median_days <= group.median_high
    longest = known.curves.groupby("group")["days"].max()
    assert known.horizon_days == longest.min() and known.horizon_days > 300
    assert known.rmst_difference.value < 0
    assert known.rmst_difference.low <= known.rmst_difference.value <= known.rmst_difference.high
    curves = known.curves
    assert list(curves.columns) == ["group", "days", "still_waiting", "lower", "upper"]
    assert set(curves["group"]) == {"pilot", "comparison"}
    assert (curves["lower"] <= curves["still_waiting"] + 1e-12).all()
    assert (curves["still_waiting"] <= curves["upper"] + 1e-12).all()
    for _, curve in curves.groupby("group"):
        assert (np.diff(curve["still_waiting"].to_numpy()) <= 0).all()


def test_competing_outcomes_have_cumulative_incidence(known: PilotEvaluation) -> None:
    incidence = known.incidence
    assert incidence is not None
    assert list(incidence.columns) == ["group", "outcome", "days", "cif"]
    assert set(incidence["outcome"]) == {
        "Start-up grant decision",
        "left the path",
        "moved to another service",
    }
    final = incidence.groupby(["group", "outcome"])["cif"].last()
    assert final.groupby(level="group").sum().max() <= 1 + 1e-9
    competing = final.xs("left the path", level="outcome")
    assert competing.min() > 0.05 and competing.max() < 0.25
    assert "competing_outcomes" in known.verdict.caveats
    assert "left the path" in known.verdict.text["en"]


def test_cumulative_incidence_leaves_the_global_random_state_alone() -> None:
    np.random.seed(5)
    expected = np.random.random()
    np.random.seed(5)
    data = simulate_pilot(scenario=Scenario(n_pilot=50, n_comparison=50), seed=3)
    data["days"] = data["days"].round()  # ties make lifelines jitter with the global generator
    evaluate_pilot(data, outcome=OUTCOME, bootstrap=50)
    assert np.random.random() == expected


def test_null_pilot_shows_no_detectable_change(null: PilotEvaluation) -> None:
    assert null.verdict.kind == "no_detectable_change"
    assert null.verdict.strength is None
    assert null.median_difference.low <= 0 <= null.median_difference.high
    assert null.power.mde_days is not None and 5 < null.power.mde_days < 40
    assert null.power.power_for_min_effect is not None
    assert 0 < null.power.power_for_min_effect < 1
    assert null.verdict.mde_days == null.power.mde_days
    assert "no detectable change" in null.verdict.text["en"]
    assert "muutosta ei havaittu" in null.verdict.text["fi"]
    assert "not_randomised" in null.verdict.caveats


def test_longer_path_is_called_longer() -> None:
    found = run(Scenario(n_pilot=400, n_comparison=800, effect_days=35.0), seed=31)
    assert found.verdict.kind == "longer"
    assert found.median_difference.low <= 35 <= found.median_difference.high
    assert "lengthened by" in found.verdict.text["en"]
    assert "piteni" in found.verdict.text["fi"]


def test_imbalance_is_weighted_away() -> None:
    """The pilot serves older (slower) customers: the naive difference understates the effect,
    the IPW-adjusted one recovers it (on average over six pilots, and inside its CI in five)."""
    scenario = Scenario(n_pilot=900, n_comparison=2000, imbalance=0.25)
    naive, adjusted, covered = [], [], 0
    for seed in range(40, 46):
        found = run(scenario, seed=seed, covariates=COVARIATES, bootstrap=100)
        balance = found.balance
        assert balance is not None and balance.imbalanced
        assert balance.max_smd_before > 0.3
        assert balance.max_smd_after < 0.02
        weighted = balance.adjusted_median_difference
        assert weighted is not None
        naive.append(found.median_difference.value)
        adjusted.append(weighted.value)
        covered += weighted.low <= -21 <= weighted.high
        assert "imbalance" in found.verdict.caveats
        assert "age_band" in found.verdict.text["en"]
        if weighted.high < 0 and found.median_difference.high >= 0:
            assert found.verdict.kind == "cannot_tell"
            assert "weighting them to be alike changes the answer" in found.verdict.text["en"]
    assert np.mean(adjusted) == pytest.approx(-21, abs=4)
    assert np.mean(naive) > -12
    assert covered >= 5
    assert set(balance.table.columns) == {
        "covariate",
        "level",
        "pilot_share",
        "comparison_share",
        "comparison_share_weighted",
        "smd_before",
        "smd_after",
    }


def test_balanced_groups_need_no_weighting(known: PilotEvaluation) -> None:
    assert known.balance is not None
    assert not known.balance.imbalanced
    assert known.balance.adjusted_median_difference is None
    assert "imbalance" not in known.verdict.caveats


def test_did_sees_through_a_group_that_was_already_faster() -> None:
    """The pilot group was 21 days faster before the pilot too and the pilot changed nothing: the
    naive post comparison is significant, the difference-in-differences is not."""
    scenario = Scenario(
        n_pilot=900,
        n_comparison=2000,
        n_pre_pilot=900,
        n_pre_comparison=2000,
        effect_days=-21.0,
        pre_effect_days=-21.0,
    )
    found = run(scenario, seed=51)
    assert found.logrank.p < 0.01
    assert found.median_difference.high < 0
    did = found.did
    assert did is not None
    assert did.p >= 0.05
    assert did.low <= 1 <= did.high
    assert did.median_did.low <= 0 <= did.median_did.high
    assert did.pre_difference.high < 0
    assert "already_different_before" in found.verdict.caveats
    assert found.verdict.strength == "weak"
    assert "already faster before the pilot" in found.verdict.text["en"]


def test_did_finds_a_real_change() -> None:
    scenario = Scenario(
        n_pilot=900, n_comparison=2000, n_pre_pilot=900, n_pre_comparison=2000, effect_days=-30.0
    )
    found = run(scenario, seed=52)
    did = found.did
    assert did is not None
    assert did.p < 0.05 and did.hazard_ratio > 1
    assert did.median_did.low <= -30 <= did.median_did.high
    assert did.parallel is True
    pre = did.pre_medians
    assert list(pre.columns) == ["group", "quarter", "n", "events", "median_days", "lower", "upper"]
    assert sorted(set(pre["quarter"])) == [f"{y}Q{q}" for y in (2015, 2016) for q in range(1, 5)]
    assert pre["n"].sum() == 2900
    assert "already_different_before" not in found.verdict.caveats


def test_diverging_pre_trends_are_flagged() -> None:
    scenario = Scenario(
        n_pilot=400,
        n_comparison=800,
        n_pre_pilot=900,
        n_pre_comparison=1800,
        pre_trend_days_per_year=-45.0,
    )
    found = run(scenario, seed=61)
    assert found.did is not None
    assert found.did.parallel is False
    assert found.did.parallel_p is not None and found.did.parallel_p < 0.05
    assert "pre_trends_differ" in found.verdict.caveats
    assert found.verdict.strength in (None, "weak")


def test_small_pre_period_gives_no_did_and_says_why() -> None:
    scenario = Scenario(n_pilot=100, n_comparison=100, n_pre_pilot=5, n_pre_comparison=50)
    found = run(scenario, seed=71, bootstrap=100)
    assert found.did is None
    assert any("pilot group has 5 case(s) in the pre period" in note for note in found.notes)


def test_too_few_cases_cannot_tell() -> None:
    data = simulate_pilot(scenario=Scenario(n_pilot=8, n_comparison=200), seed=81)
    assert data.loc[data["group"] == "pilot", "event"].eq(1).any()
    found = evaluate_pilot(data, outcome=OUTCOME, bootstrap=100)
    assert found.verdict.kind == "cannot_tell"
    assert found.verdict.strength is None
    assert "has only 8 cases" in found.verdict.text["en"]


def test_median_not_reached_falls_back_to_restricted_means() -> None:
    """A data cut 60 days after the start of the pilot: fewer than half have reached the outcome."""
    scenario = Scenario(n_pilot=300, n_comparison=600, window_days=60.0)
    found = run(scenario, seed=91, bootstrap=200)
    assert not np.isfinite(found.pilot.median_days)
    assert found.verdict.kind == "cannot_tell"
    assert found.verdict.measure == "rmst_difference"
    assert found.verdict.estimate_days == found.rmst_difference.value
    assert np.isfinite(found.rmst_difference.low) and np.isfinite(found.rmst_difference.high)
    assert found.horizon_days <= 60
    assert "Within the first" in found.verdict.text["en"]
    assert "many_open" in found.verdict.caveats


def test_no_competing_outcomes_and_no_covariates() -> None:
    scenario = Scenario(n_pilot=200, n_comparison=300, competing_rate=1e-9)
    found = run(scenario, seed=101, bootstrap=100)
    assert found.incidence is None
    assert found.balance is None
    assert "competing_outcomes" not in found.verdict.caveats
    assert any("balance between the groups was not checked" in n for n in found.notes)


def test_constant_covariate_is_dropped() -> None:
    data = simulate_pilot(scenario=Scenario(n_pilot=200, n_comparison=300), seed=111)
    data["region"] = "North Karelia"
    found = evaluate_pilot(data, outcome=OUTCOME, covariates=["region", "age_band"], bootstrap=100)
    assert found.cox.covariates == ("age_band",)
    assert found.cox.dropped == ("region",)
    assert set(found.cox.table["term"]) == {"pilot", "age_band=50+", "age_band=under 30"}
    assert set(found.cox.ph_test["term"]) == set(found.cox.table["term"])


def test_same_seed_same_answer() -> None:
    data = simulate_pilot(scenario=Scenario(n_pilot=150, n_comparison=300), seed=121)
    first = evaluate_pilot(data, outcome=OUTCOME, bootstrap=100, seed=9)
    again = evaluate_pilot(data.sample(frac=1.0, random_state=1), outcome=OUTCOME, bootstrap=100)
    same = evaluate_pilot(data, outcome=OUTCOME, bootstrap=100, seed=9)
    assert first.median_difference == same.median_difference
    assert first.verdict.text == same.verdict.text
    assert first.median_difference.value == again.median_difference.value
    pd.testing.assert_frame_equal(first.curves, same.curves)

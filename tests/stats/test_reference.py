"""Kaplan–Meier, log-rank and Cox through our code agree with published reference values.

Data sets are the ones lifelines ships; every reference number names its source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from lifelines.datasets import load_leukemia, load_rossi, load_waltons

from sujuva.stats import cox, evaluate_pilot, survival

START = pd.Timestamp("2017-01-02", tz="Europe/Helsinki")


def case_table(days: pd.Series, event: pd.Series, pilot: pd.Series) -> pd.DataFrame:
    """A lifelines data set as a post-period pilot/comparison case table."""
    return pd.DataFrame(
        {
            "group": np.where(pilot.to_numpy(dtype=bool), "pilot", "comparison"),
            "period": "post",
            "start": START,
            "days": days.to_numpy(dtype=float),
            "event": event.to_numpy(dtype=int),
            "event_name": np.where(event.to_numpy() == 1, "relapse", "still open"),
        }
    )


def test_cox_matches_r_on_rossi() -> None:
    """Fox & Weisberg, "Cox Proportional-Hazards Regression for Survival Data in R" (appendix to
    An R Companion to Applied Regression), R survival::coxph(Surv(week, arrest) ~ fin + age +
    race + wexp + mar + paro + prio, data = Rossi), Efron ties: coefficients, standard errors
    and the likelihood-ratio test (33.27 on 7 df)."""
    rossi = load_rossi().rename(columns={"week": "days", "arrest": "primary"})
    model = cox.fit(rossi, alpha=0.05)
    reference = {
        "fin": (-0.3794, 0.1914),
        "age": (-0.0574, 0.0220),
        "race": (0.3139, 0.3080),
        "wexp": (-0.1498, 0.2122),
        "mar": (-0.4337, 0.3819),
        "paro": (-0.0849, 0.1958),
        "prio": (0.0915, 0.0286),
    }
    for term, (coef, se) in reference.items():
        assert model.params_[term] == pytest.approx(coef, abs=6e-5), term
        assert model.standard_errors_[term] == pytest.approx(se, abs=6e-5), term
    assert model.log_likelihood_ratio_test().test_statistic == pytest.approx(33.27, abs=0.005)
    table = cox.terms(model)
    assert cox.term(table, "fin") == pytest.approx(np.exp(-0.37942), rel=1e-4)


def test_leukemia_matches_the_textbook() -> None:
    """Freireich et al. (1963) 6-MP remission data (Gehan 1965; lifelines' load_leukemia, the
    'anderson' set of Kleinbaum & Klein, Survival Analysis: A Self-Learning Text, ch. 2–3):
    KM medians 23 weeks (6-MP) and 8 weeks (placebo); log-rank chi-square 16.79; the 6-MP
    KM curve 0.857, 0.807, 0.753, 0.690, 0.627, 0.538, 0.448 at weeks 6, 7, 10, 13, 16, 22, 23.
    Cox (R survival::coxph on MASS::gehan, Efron): treatment coefficient 1.572, se 0.412."""
    leukemia = load_leukemia()
    data = case_table(leukemia["t"], leukemia["status"], leukemia["Rx"] == 0)
    found = evaluate_pilot(data, outcome=("Remission", "Relapse"), bootstrap=200)
    assert found.pilot.median_days == 23.0
    assert found.comparison.median_days == 8.0
    assert found.logrank.statistic == pytest.approx(16.79, abs=0.005)
    assert found.logrank.p == pytest.approx(4.17e-05, rel=0.01)
    assert np.log(found.cox.hazard_ratio) == pytest.approx(-1.572, abs=5e-4)
    assert (np.log(found.cox.high) - np.log(found.cox.low)) / (2 * 1.959964) == pytest.approx(
        0.412, abs=5e-4
    )
    curve = found.curves[found.curves["group"] == "pilot"].set_index("days")["still_waiting"]
    expected = {6: 0.857, 7: 0.807, 10: 0.753, 13: 0.690, 16: 0.627, 22: 0.538, 23: 0.448}
    for week, value in expected.items():
        assert curve.loc[float(week)] == pytest.approx(value, abs=5e-4), week
    assert found.median_difference.value == 15.0
    assert found.verdict.kind == "longer"
    assert "Relapse" in found.verdict.text["en"]


def test_waltons_matches_the_lifelines_documentation() -> None:
    """lifelines documentation, "Introduction to using lifelines" (waltons data): the log-rank
    test of miR-137 against control gives a test statistic of 122.25, and the Kaplan–Meier
    median of all 163 flies is 56 days."""
    waltons = load_waltons()
    data = case_table(waltons["T"], waltons["E"], waltons["group"] == "miR-137")
    found = evaluate_pilot(data, outcome=("Birth", "Death"), bootstrap=200)
    assert found.logrank.statistic == pytest.approx(122.25, abs=0.005)
    everyone = survival.fit_km(waltons["T"].to_numpy(), waltons["E"].to_numpy(), alpha=0.05)
    assert everyone.median_survival_time_ == 56.0
    assert found.median_difference.value < 0
    assert found.verdict.kind == "shorter"
    assert found.verdict.strength == "strong"

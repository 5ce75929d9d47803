"""Statistics for pilots (kokeilut): is the pilot group's path shorter than the comparison's?

:func:`evaluate_pilot` takes one row per case and returns a :class:`PilotEvaluation`: Kaplan–Meier
medians and restricted mean times, the log-rank test, a Cox model with covariates and its
proportional-hazards check, competing outcomes, difference-in-differences, covariate balance
with inverse-probability weighting, the minimum detectable effect, and a :class:`Verdict` in
Finnish and English that never claims more than the data show.
"""

from __future__ import annotations

from sujuva.stats.pilot import evaluate_pilot
from sujuva.stats.results import (
    BalanceResult,
    CoxResult,
    DidResult,
    Estimate,
    GroupSummary,
    LogRank,
    PilotEvaluation,
    PowerResult,
    Verdict,
)
from sujuva.stats.simulate import Scenario, calibrate, simulate_pilot

__all__ = [
    "BalanceResult",
    "CoxResult",
    "DidResult",
    "Estimate",
    "GroupSummary",
    "LogRank",
    "PilotEvaluation",
    "PowerResult",
    "Scenario",
    "Verdict",
    "calibrate",
    "evaluate_pilot",
    "simulate_pilot",
]

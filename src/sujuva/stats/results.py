"""The result types of a pilot evaluation, in one place so that every field is documented once.

All times are in days. Confidence intervals are at level ``1 - alpha`` of the evaluation
(95 % by default). A median that is not reached (fewer than half of a group reached the
outcome) is ``inf``; a bound that cannot be estimated is ``inf`` or ``nan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

VerdictKind = Literal["shorter", "longer", "no_detectable_change", "cannot_tell"]
Strength = Literal["strong", "moderate", "weak"]
Measure = Literal["median_difference", "rmst_difference"]


@dataclass(frozen=True)
class Estimate:
    """A number with its confidence interval (``low`` ≤ ``value`` ≤ ``high`` as a rule)."""

    value: float
    low: float
    high: float

    def excludes(self, null: float) -> bool:
        """True when the interval lies wholly on one side of ``null`` (a 'significant' CI)."""
        return bool(self.low > null or self.high < null)


@dataclass(frozen=True)
class GroupSummary:
    """One group in the post period.

    ``events`` counts the primary outcome, ``competing`` the other outcomes, ``censored`` the
    cases still open at the data cut. ``median_days`` is the Kaplan–Meier median time to the
    primary outcome (competing outcomes censored), ``median_low``/``median_high`` its CI from
    the pointwise confidence band (lifelines). ``rmst_days`` is the restricted mean time to the
    outcome within the common horizon of the evaluation.
    """

    group: str
    n: int
    events: int
    censored: int
    competing: int
    median_days: float
    median_low: float
    median_high: float
    rmst_days: float

    @property
    def share_open(self) -> float:
        """Share of cases still open (censored) at the data cut."""
        return self.censored / self.n if self.n else 0.0


@dataclass(frozen=True)
class LogRank:
    """The log-rank test of pilot against comparison (post period, lifelines)."""

    statistic: float
    p: float


@dataclass(frozen=True)
class CoxResult:
    """Cox proportional-hazards model of the primary outcome, post period (lifelines).

    ``hazard_ratio`` is pilot against comparison (> 1: the pilot reaches the outcome sooner),
    with CI and Wald p. ``covariates`` were adjusted for; ``dropped`` were constant or empty
    (or made the model fail). ``table``: term, hazard_ratio, low, high, p for every term.
    ``ph_test``: term, statistic, p of the proportional-hazards test (rank time transform);
    ``ph_violated`` when the pilot term's p < alpha. ``penalised`` when the model only
    converged with a small ridge penalty.
    """

    hazard_ratio: float
    low: float
    high: float
    p: float
    covariates: tuple[str, ...]
    dropped: tuple[str, ...]
    table: pd.DataFrame
    ph_test: pd.DataFrame
    ph_p: float
    ph_violated: bool
    penalised: bool


@dataclass(frozen=True)
class DidResult:
    """Difference-in-differences over pre/post × pilot/comparison.

    ``hazard_ratio`` (with CI and p) is the group × period interaction of a Cox model with group,
    period and the same covariates: how much more the pilot's hazard of reaching the outcome
    changed than the comparison's (1 = no difference in change). ``median_did`` is the same idea
    in days: (pilot − comparison) post minus (pilot − comparison) pre, bootstrap CI;
    ``pre_difference`` is the pre-period gap (pilot − comparison median, days, bootstrap CI).
    ``pre_medians``: group, quarter, n, events, median_days, lower, upper (KM per calendar
    quarter of ``start`` in the pre period). ``parallel_p`` is the p of the group × calendar-time
    interaction of a Cox model on the pre rows (None when the pre period is too short to test);
    ``parallel`` is False when that p < alpha.
    """

    hazard_ratio: float
    low: float
    high: float
    p: float
    median_did: Estimate
    pre_difference: Estimate
    pre_medians: pd.DataFrame
    parallel_p: float | None
    parallel: bool | None


@dataclass(frozen=True)
class BalanceResult:
    """Covariate balance, pilot against comparison (post), and the IPW-adjusted comparison.

    ``table``: covariate, level, pilot_share, comparison_share, comparison_share_weighted,
    smd_before, smd_after (standardised mean difference of each level's indicator, before and
    after inverse-probability weighting). Weights target the pilot group (ATT): pilot cases
    weigh 1, comparison cases p/(1 − p) with the propensity p from a logistic GLM (statsmodels)
    clipped to [0.01, 0.99]. ``adjusted_median_difference`` (weighted KM, bootstrap CI with the
    propensity refitted in every resample) is computed only when ``imbalanced``
    (max |SMD| before weighting > 0.1).
    """

    table: pd.DataFrame
    max_smd_before: float
    max_smd_after: float
    imbalanced: bool
    adjusted_median_difference: Estimate | None


@dataclass(frozen=True)
class PowerResult:
    """What these group sizes could have detected (Schoenfeld/Freedman via lifelines).

    ``mde_hazard_ratio`` is the smallest hazard ratio (> 1, the pilot faster) detectable with
    ``target_power`` at ``alpha``; ``mde_days`` converts it to days with the comparison median:
    median × (1 − 1/HR). ``power_for_min_effect`` is the power to detect a shortening of
    ``min_effect_days``. None where not computable (median not reached, groups too small).
    """

    target_power: float
    alpha: float
    event_share_pilot: float
    event_share_comparison: float
    mde_hazard_ratio: float | None
    mde_days: float | None
    min_effect_days: float | None
    power_for_min_effect: float | None


@dataclass(frozen=True)
class Verdict:
    """The conclusion in plain words and the numbers it rests on.

    ``measure`` names the estimate: the difference of KM medians (pilot − comparison, days,
    negative = shorter) or, when a median is not reached, of restricted mean times within
    ``horizon_days``. ``caveats`` are codes (not_randomised, imbalance, few_events, many_open,
    ph_violated, pre_trends_differ, already_different_before, competing_outcomes);
    ``text`` has the sentence(s) in Finnish ("fi") and English ("en").
    """

    kind: VerdictKind
    strength: Strength | None
    outcome: tuple[str, str]
    measure: Measure
    estimate_days: float
    ci_low_days: float
    ci_high_days: float
    logrank_p: float
    alpha: float
    horizon_days: float
    mde_days: float | None
    caveats: tuple[str, ...]
    text: dict[str, str]


@dataclass(frozen=True)
class PilotEvaluation:
    """Everything :func:`sujuva.stats.evaluate_pilot` found, post period unless said otherwise.

    ``curves``: group, days, still_waiting, lower, upper (KM with its confidence band).
    ``median_difference``: pilot − comparison median (days), bootstrap percentile CI.
    ``rmst_difference``: pilot − comparison restricted mean time within ``horizon_days`` (the
    smaller of the groups' longest follow-up), bootstrap percentile CI. ``incidence``: group,
    outcome, days, cif (Aalen–Johansen cumulative incidence of every outcome), only when
    competing outcomes occur. ``did`` and ``balance`` are None when not computable (see
    ``notes``, which says why in plain English).
    """

    outcome: tuple[str, str]
    alpha: float
    bootstrap: int
    horizon_days: float
    pilot: GroupSummary
    comparison: GroupSummary
    median_difference: Estimate
    rmst_difference: Estimate
    curves: pd.DataFrame
    logrank: LogRank
    cox: CoxResult
    incidence: pd.DataFrame | None
    did: DidResult | None
    balance: BalanceResult | None
    power: PowerResult
    verdict: Verdict
    notes: tuple[str, ...]

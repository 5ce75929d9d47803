"""The verdict: did the path get shorter, longer, neither, or can the data not tell?

Decision rule (fixed in advance, so that it can be calibrated by simulation):

* **cannot_tell** when a group has fewer than :data:`MIN_CASES` cases or :data:`MIN_EVENTS`
  outcomes, or a KM median is not reached (the numbers then come from the restricted mean
  times); also when the groups are imbalanced and the IPW-adjusted CI of the median difference
  lies on another side of zero than the plain one (weighting changes the answer);
* **shorter** / **longer** only when the bootstrap CI of the median difference excludes zero
  *and* the log-rank p < alpha;
* **no_detectable_change** otherwise, with the minimum detectable effect.

Strength: strong when p < 0.001 and the CI bound nearer zero is at least half the estimate
away from it; moderate when p < 0.01; weak otherwise. Evidence that the groups differed
already before the pilot (a pre-period gap the same way, and no significant DiD interaction;
or pre-trends that differ) caps it at weak; a pre-period gap with a significant DiD, or fewer
than 20 outcomes in a group, caps it at moderate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sujuva.stats.results import (
    BalanceResult,
    CoxResult,
    DidResult,
    Estimate,
    GroupSummary,
    LogRank,
    Measure,
    PowerResult,
    Strength,
    Verdict,
    VerdictKind,
)
from sujuva.stats.wording import Facts, compose

MIN_CASES = 10
MIN_EVENTS = 5
FEW_EVENTS = 20
MANY_OPEN = 0.3


@dataclass(frozen=True)
class Evidence:
    """Everything the verdict weighs (built by :func:`sujuva.stats.evaluate_pilot`)."""

    outcome: tuple[str, str]
    alpha: float
    horizon: float
    pilot: GroupSummary
    comparison: GroupSummary
    median: Estimate
    rmst: Estimate
    logrank: LogRank
    cox: CoxResult
    did: DidResult | None
    balance: BalanceResult | None
    power: PowerResult
    competing_names: tuple[str, ...]


def decide(evidence: Evidence) -> Verdict:
    """Apply the decision rule and word the result."""
    reason = blocker(evidence)
    measure: Measure = "rmst_difference" if _median_missing(evidence) else "median_difference"
    estimate = evidence.rmst if measure == "rmst_difference" else evidence.median
    kind: VerdictKind = "cannot_tell"
    if reason is None:
        kind = _kind(evidence)
        if not _adjusted_agrees(evidence):
            kind, reason = "cannot_tell", ("imbalance_unresolved", "", 0)
    codes = caveats(evidence, kind=kind)
    strength = _strength(evidence, codes) if kind in ("shorter", "longer") else None
    facts = _facts(
        evidence, kind=kind, strength=strength, measure=measure, reason=reason, caveats=codes
    )
    return Verdict(
        kind=kind,
        strength=strength,
        outcome=evidence.outcome,
        measure=measure,
        estimate_days=estimate.value,
        ci_low_days=estimate.low,
        ci_high_days=estimate.high,
        logrank_p=evidence.logrank.p,
        alpha=evidence.alpha,
        horizon_days=evidence.horizon,
        mde_days=evidence.power.mde_days,
        caveats=codes,
        text=compose(facts),
    )


def _facts(
    evidence: Evidence,
    *,
    kind: VerdictKind,
    strength: Strength | None,
    measure: Measure,
    reason: tuple[str, str, int] | None,
    caveats: tuple[str, ...],
) -> Facts:
    """What the wording needs."""
    balance, did = evidence.balance, evidence.did
    return Facts(
        outcome=evidence.outcome,
        alpha=evidence.alpha,
        kind=kind,
        strength=strength,
        measure=measure,
        estimate=evidence.rmst if measure == "rmst_difference" else evidence.median,
        horizon=evidence.horizon,
        mde_days=evidence.power.mde_days,
        min_effect_days=evidence.power.min_effect_days,
        power_for_min_effect=evidence.power.power_for_min_effect,
        reason=reason,
        caveats=caveats,
        imbalanced=_imbalanced_covariates(balance),
        adjusted=balance.adjusted_median_difference if balance else None,
        competing_share=_competing_share(evidence),
        competing_names=evidence.competing_names,
        did=_did_ratio(did),
        did_days=did.median_did if did else None,
        pre_gap=did.pre_difference if did else None,
        did_significant=did is not None and did.p < evidence.alpha,
    )


def blocker(evidence: Evidence) -> tuple[str, str, int] | None:
    """Why the data cannot answer at all: (code, group, count), or None."""
    groups = (evidence.pilot, evidence.comparison)
    for group in groups:
        if group.n < MIN_CASES:
            return "few_cases", group.group, group.n
    for group in groups:
        if group.events < MIN_EVENTS:
            return "few_events", group.group, group.events
    missing = [g.group for g in groups if not math.isfinite(g.median_days)]
    if missing:
        return "median_not_reached", missing[0] if len(missing) == 1 else "both", 0
    return None


def _median_missing(evidence: Evidence) -> bool:
    return not all(math.isfinite(g.median_days) for g in (evidence.pilot, evidence.comparison))


def _kind(evidence: Evidence) -> VerdictKind:
    median = evidence.median
    if not (median.excludes(0.0) and evidence.logrank.p < evidence.alpha):
        return "no_detectable_change"
    return "shorter" if median.high < 0 else "longer"


def _adjusted_agrees(evidence: Evidence) -> bool:
    """Without imbalance, trivially; with it, the IPW-adjusted CI must lie on the same side of
    zero as the plain one (both below, both above, or both across): if weighting the groups to
    be alike changes the answer, the data cannot tell."""
    balance = evidence.balance
    if balance is None or balance.adjusted_median_difference is None:
        return True
    return _side(balance.adjusted_median_difference) == _side(evidence.median)


def _side(estimate: Estimate) -> int:
    return -1 if estimate.high < 0 else 1 if estimate.low > 0 else 0


def caveats(evidence: Evidence, *, kind: VerdictKind) -> tuple[str, ...]:
    """The caveat codes that apply (``not_randomised`` always: the data cannot say otherwise).

    ``already_different_before`` applies to a claimed effect when the pre-period gap between
    the groups already points the same way (its CI excludes zero).
    """
    groups = (evidence.pilot, evidence.comparison)
    did = evidence.did
    found = {
        "not_randomised": True,
        "imbalance": evidence.balance is not None and evidence.balance.imbalanced,
        "few_events": min(g.events for g in groups) < FEW_EVENTS,
        "many_open": max(g.share_open for g in groups) > MANY_OPEN,
        "ph_violated": evidence.cox.ph_violated,
        "pre_trends_differ": did is not None and did.parallel is False,
        "already_different_before": _gap_before(did, kind),
        "competing_outcomes": any(g.competing for g in groups),
    }
    return tuple(code for code, applies in found.items() if applies)


def _strength(evidence: Evidence, codes: tuple[str, ...]) -> Strength:
    median, p = evidence.median, evidence.logrank.p
    nearer = min(abs(median.low), abs(median.high))
    strength: Strength = "weak"
    if p < 0.001 and nearer >= abs(median.value) / 2:
        strength = "strong"
    elif p < 0.01:
        strength = "moderate"
    did_unclear = evidence.did is None or evidence.did.p >= evidence.alpha
    if "pre_trends_differ" in codes or ("already_different_before" in codes and did_unclear):
        return "weak"
    capped = "few_events" in codes or "already_different_before" in codes
    return "moderate" if capped and strength == "strong" else strength


def _gap_before(did: DidResult | None, kind: VerdictKind) -> bool:
    if did is None or kind not in ("shorter", "longer"):
        return False
    gap = did.pre_difference
    return gap.high < 0 if kind == "shorter" else gap.low > 0


def _imbalanced_covariates(balance: BalanceResult | None) -> tuple[str, ...]:
    if balance is None or balance.table.empty:
        return ()
    over = balance.table[balance.table["smd_before"].abs() > 0.1]
    return tuple(dict.fromkeys(str(c) for c in over["covariate"]))


def _competing_share(evidence: Evidence) -> float:
    groups = (evidence.pilot, evidence.comparison)
    return sum(g.competing for g in groups) / sum(g.n for g in groups)


def _did_ratio(did: DidResult | None) -> Estimate | None:
    return None if did is None else Estimate(value=did.hazard_ratio, low=did.low, high=did.high)
